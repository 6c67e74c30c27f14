package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.util.FlinkUserCodeClassLoaders;
import org.apache.flink.util.MutableURLClassLoader;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.junit.jupiter.api.Test;

/**
 * The HF tokenizer under Flink's user-code class loaders: two jobs on one TaskManager each get a
 * child-first class loader of their own, holding the pipeline and DJL classes. The JVM lets one native
 * file be loaded by one class loader only, so the second job must still be able to load the library
 * (offline, from the jar) and count tokens.
 */
class HfTokenizerClassLoaderTest {

  @Test
  void twoJobClassLoadersInOneJvmBothLoadTheNativeTokenizer() throws Exception {
    String spec = TestTexts.hfSpec();
    String text = TestTexts.document(9, 4);
    // DJL's path explicitly: Tokenizers.load takes the Java path for this file and loads no native
    // code. Also loaded once by the parent class loader; the Java path must agree with it.
    int expected = Tokenizers.loadThroughDjl(spec).count(text);
    assertEquals(expected, Tokenizers.load(spec).count(text));

    URL[] jobJar = jobClasspath();
    String[] parentFirst = CoreOptions.getParentFirstLoaderPatterns(new Configuration());
    List<Object> counts = new ArrayList<>();
    List<Class<?>> loaded = new ArrayList<>();
    for (int job = 0; job < 2; job++) {
      try (MutableURLClassLoader loader = FlinkUserCodeClassLoaders.childFirst(jobJar,
          getClass().getClassLoader(), parentFirst, e -> { }, true)) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader); // as Flink does while a task runs
        try {
          Class<?> tokenizers = Class.forName(Tokenizers.class.getName(), true, loader);
          Object tokenizer = tokenizers.getMethod("loadThroughDjl", String.class)
              .invoke(null, spec);
          Class<?> api = Class.forName("org.in2stream.pipeline.tokenize.TextTokenizer", true,
              loader);
          counts.add(api.getMethod("count", String.class).invoke(tokenizer, text));
          loaded.add(Class.forName("ai.djl.huggingface.tokenizers.jni.LibUtils", false, loader));
        } finally {
          thread.setContextClassLoader(previous);
        }
      }
    }
    assertNotSame(loaded.get(0), loaded.get(1), "each job loaded DJL's native loader itself");
    assertNotSame(Tokenizers.class, loaded.get(0).getClassLoader());
    assertEquals(List.of(expected, expected), counts);
  }

  /** What a job jar would hold: the pipeline classes and DJL. */
  private static URL[] jobClasspath() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String e = entry.replace('\\', '/');
      if (e.contains("/ai/djl/") || e.contains("in2-stream-pipeline") || e.endsWith(
          "pipeline/target/classes")) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    assertTrue(urls.size() >= 3, "pipeline classes and the two DJL jars on the classpath: " + urls);
    return urls.toArray(URL[]::new);
  }
}
