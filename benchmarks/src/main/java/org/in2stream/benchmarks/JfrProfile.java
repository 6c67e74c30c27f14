package org.in2stream.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Attributes the CPU samples ({@code jdk.ExecutionSample}) of a JFR recording of an end-to-end run
 * in two ways: by the <b>top non-JDK frame</b> (the library or code that was working: a tokenizer,
 * Avro, Kryo, Kafka's client, ...; see {@link #area}; JDK frames above it, such as string copies,
 * collections or deflate, count for their caller) and by the <b>nearest in2-stream frame</b> on the stack
 * (which step of ours caused the work, whatever library did it; samples with no in2-stream frame
 * are Flink's, Beam's or Kafka's own machinery). Samples of the same recording, so both add up to the
 * same total.
 */
final class JfrProfile {
  private static final String OURS = "org.in2stream.";

  /** Samples per area of the top frame and per nearest in2-stream class, largest first. */
  record Attribution(long samples, Map<String, Long> byTopFrame, Map<String, Long> byOurFrame,
      Map<String, Long> byThread) {}

  private JfrProfile() {}

  static Attribution read(Path jfr) throws IOException {
    Map<String, Long> top = new LinkedHashMap<>();
    Map<String, Long> ours = new LinkedHashMap<>();
    Map<String, Long> threads = new LinkedHashMap<>();
    long n = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
      if (!"jdk.ExecutionSample".equals(e.getEventType().getName())) {
        continue;
      }
      RecordedStackTrace st = e.getStackTrace();
      if (st == null || st.getFrames().isEmpty()) {
        continue;
      }
      n++;
      List<RecordedFrame> frames = st.getFrames();
      String worker = className(frames.get(0));
      for (RecordedFrame f : frames) {
        String c = className(f);
        if (!isJdk(c)) {
          worker = c;
          break;
        }
      }
      top.merge(area(worker), 1L, Long::sum);
      String step = "no in2-stream frame (Flink, Beam, Kafka machinery)";
      for (RecordedFrame f : frames) {
        String c = className(f);
        if (c.startsWith(OURS)) {
          step = c.substring(OURS.length()).replaceAll("\\$.*", "");
          break;
        }
      }
      ours.merge(step, 1L, Long::sum);
      threads.merge(thread(e), 1L, Long::sum);
    }
    return new Attribution(n, sorted(top), sorted(ours), sorted(threads));
  }

  /**
   * The sampled thread's name, shortened: a Flink task thread is named after its operator chain
   * ("CHAIN GroupReduce (GroupReduce at AssembleContexts/...) -> FlatMap (...) (1/2)#0"); the first
   * operator and the subtask ("(1/2)") say which task it is.
   */
  static String thread(RecordedEvent e) {
    var t = e.getThread("sampledThread");
    String name = t == null || t.getJavaName() == null ? "?" : t.getJavaName();
    java.util.regex.Matcher sub = java.util.regex.Pattern.compile("(\\(\\d+/\\d+\\))(#\\d+)?$")
        .matcher(name);
    String subtask = sub.find() ? " " + sub.group(1) : "";
    String head = sub.find(0) ? name.substring(0, sub.start()).trim() : name;
    int arrow = head.indexOf(" -> ");
    if (arrow > 0) {
      head = head.substring(0, arrow) + " -> ...";
    }
    return (head.length() > 90 ? head.substring(0, 90) + "..." : head).replace("|", "/") + subtask;
  }

  private static boolean isJdk(String c) {
    return c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")
        || c.startsWith("com.sun.");
  }

  private static String className(RecordedFrame f) {
    return f.getMethod() == null || f.getMethod().getType() == null ? "?"
        : f.getMethod().getType().getName();
  }

  /** The area a top-frame class belongs to, by package. */
  static String area(String c) {
    if (c.startsWith("com.knuddels.jtokkit") || c.startsWith("org.in2stream.pipeline.tokenize")) {
      return "tokenizer (jtokkit, in2-stream tokenize)";
    }
    if (c.startsWith("ai.djl") || c.startsWith("ai.djl.huggingface")) {
      return "tokenizer (DJL)";
    }
    if (c.startsWith(OURS)) {
      return "in2-stream code (other than tokenize)";
    }
    if (c.startsWith("org.apache.avro")) {
      return "Avro";
    }
    if (c.startsWith("com.esotericsoftware") || c.startsWith("org.objenesis")) {
      return "Kryo";
    }
    if (c.startsWith("org.apache.beam.sdk.coders") || c.startsWith("org.apache.beam.sdk.util.Coder")
        || c.startsWith("org.apache.beam.runners.flink.translation.types")) {
      return "Beam coders";
    }
    if (c.startsWith("org.apache.beam")) {
      return "Beam (runner, SDK) other";
    }
    if (c.startsWith("org.apache.flink.core.memory") || c.startsWith("org.apache.flink.runtime.io")) {
      return "Flink network and memory";
    }
    if (c.startsWith("org.apache.flink")) {
      return "Flink other";
    }
    if (c.startsWith("org.apache.kafka")) {
      return "Kafka client";
    }
    if (c.startsWith("java.util.zip") || c.startsWith("org.xerial.snappy")
        || c.startsWith("com.github.luben")) {
      return "compression";
    }
    if (c.startsWith("java.util.regex")) {
      return "JDK regex";
    }
    if (c.startsWith("java.lang.String") || c.startsWith("java.lang.StringLatin1")
        || c.startsWith("java.lang.StringUTF16") || c.startsWith("java.lang.AbstractStringBuilder")
        || c.startsWith("java.lang.StringBuilder") || c.startsWith("java.lang.StringCoding")
        || c.startsWith("sun.nio.cs")) {
      return "JDK strings and charsets";
    }
    if (c.startsWith("com.fasterxml.jackson")) {
      return "Jackson (JSON)";
    }
    if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")) {
      return "JDK other (collections, IO, hashing)";
    }
    if (c.startsWith("com.ibm.icu")) {
      return "ICU (sentence split)";
    }
    return "other libraries";
  }

  private static Map<String, Long> sorted(Map<String, Long> m) {
    Map<String, Long> out = new LinkedHashMap<>();
    m.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
