package org.in2stream.pipeline.tokenize;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Makes DJL's native tokenizers library loadable from the class loader that holds this class, offline.
 *
 * <p>Two problems are solved here. (1) DJL looks for the library in a cache under {@code ~/.djl.ai}
 * and may try to download a CUDA build; offline mode ({@code ai.djl.offline=true}) forbids any download
 * and the library shipped inside the {@code tokenizers} jar is used. (2) The JVM lets one native file be
 * loaded by one class loader only; DJL always loads the same cached path, so a second Flink job (a new
 * user-code class loader) on the same TaskManager would fail with "already loaded in another
 * classloader". So each class loader gets its own copy of the library, in a fresh temporary folder,
 * passed to DJL through its {@code RUST_LIBRARY_PATH} override while DJL's loader class initialises.
 *
 * <p>A user who sets {@code RUST_LIBRARY_PATH} (environment or system property) keeps full control.
 */
final class HfNativeLibrary {
  private static final String LIB_UTILS = "ai.djl.huggingface.tokenizers.jni.LibUtils";
  private static final String OVERRIDE = "RUST_LIBRARY_PATH";
  /** Interned, so one lock for every class loader of the JVM: the override is a JVM-wide property. */
  private static final Object JVM_LOCK = "org.in2stream.pipeline.tokenize.HfNativeLibrary".intern();
  private static volatile boolean loaded;

  private HfNativeLibrary() {}

  static void ensureLoaded() {
    if (loaded) {
      return;
    }
    synchronized (JVM_LOCK) {
      if (loaded) {
        return;
      }
      if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
        System.setProperty("ai.djl.offline", "true");
      }
      ClassLoader own = HfNativeLibrary.class.getClassLoader();
      boolean userOverride = System.getenv(OVERRIDE) != null;
      String previous = System.getProperty(OVERRIDE);
      Path dir = null;
      if (!userOverride && previous == null) {
        dir = extract(own);
        // The file itself, not its folder: DJL then skips its per-CUDA-architecture subfolders.
        System.setProperty(OVERRIDE, dir.resolve(System.mapLibraryName("tokenizers")).toString());
      }
      Thread thread = Thread.currentThread();
      ClassLoader context = thread.getContextClassLoader();
      try {
        // DJL resolves resources through the context class loader: make it ours while it loads.
        thread.setContextClassLoader(own);
        Class<?> libUtils = Class.forName(LIB_UTILS, true, own);
        libUtils.getMethod("checkStatus").invoke(null);
      } catch (ReflectiveOperationException | LinkageError e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw new IllegalStateException("cannot load the Hugging Face tokenizers native library"
            + (dir == null ? "" : " from " + dir) + ": " + cause, cause);
      } finally {
        thread.setContextClassLoader(context);
        if (dir != null) {
          System.clearProperty(OVERRIDE);
        }
      }
      loaded = true;
    }
  }

  /** Copies the library for this platform out of the jar into a folder of its own. */
  private static Path extract(ClassLoader loader) {
    String lib = System.mapLibraryName("tokenizers");
    String resource = "native/lib/" + classifier() + "/cpu/" + lib;
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the DJL tokenizers jar has no native library for this "
            + "platform (" + resource + "); set RUST_LIBRARY_PATH to a libtokenizers build");
      }
      Path dir = Files.createTempDirectory("in2-stream-tokenizers-");
      Path file = dir.resolve(lib);
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + resource, e);
    }
  }

  /** DJL's platform folder name, e.g. {@code linux-x86_64}. */
  static String classifier() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String prefix = os.startsWith("win") ? "win" : os.startsWith("mac") ? "osx" : "linux";
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
        : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
    return prefix + "-" + a;
  }
}
