package org.in2stream.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;

/**
 * Turns the results of one {@code scripts/bench.sh} run into the table: JMH's JSON (rows 1, 2), the
 * LLM saturation benchmark's output (row 3), the end-to-end runs' JSON (rows 4, 5) and the projection
 * derived from them (row 6). Prints the table and writes {@code docs/BENCHMARKS.md}: machine, the
 * table, then the hand-written analysis ({@code docs/benchmarks-analysis.md}) verbatim.
 *
 * <pre>BenchReport --dir=RESULTS --corpus=DIR --markdown=docs/BENCHMARKS.md --analysis=FILE
 *     --seconds=S --loadStart=L --loadEnd=L</pre>
 */
public final class BenchReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The IN2 data set's size (An et al. 2024): about 1.1M long-context + 300K + ... examples. */
  private static final double IN2_EXAMPLES = 1_750_000;

  private BenchReport() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : argv) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    Path dir = Path.of(a.get("dir"));
    List<String[]> rows = new ArrayList<>();

    // Rows 1 and 2: JMH
    Map<String, JsonNode> jmh = new LinkedHashMap<>();
    for (JsonNode b : JSON.readTree(dir.resolve("jmh.json").toFile())) {
      String name = b.get("benchmark").asText();
      jmh.put(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1), b);
    }
    JsonNode seg = jmh.get("SegmentationBench.segment");
    JsonNode count = jmh.get("SegmentationBench.countTokens");
    if (seg != null && count != null) {
      int docs = seg.get("params").get("docs").asInt();
      List<String> texts = Corpus.texts(a.get("corpus"), docs);
      TextTokenizer tok = Tokenizers.load(seg.get("params").get("tokenizer").asText());
      double mb = Corpus.utf8Bytes(texts) / 1e6;
      long tokens = Corpus.tokens(texts, tok);
      // per CPU second of the benchmark thread (steady on a shared machine), wall time next to it
      double s = 1e9 / cpuNanosPerOp(seg);
      double c = 1e9 / cpuNanosPerOp(count);
      rows.add(row("1", "Segmentation (1 thread, " + docs + " docs, "
              + String.format(Locale.ROOT, "%.2f MB", mb) + ", cl100k)",
          f("%.1f MB/s, %.2f M tokens/s per CPU s (wall: %.1f MB/s)", s * mb, s * tokens / 1e6,
              score(seg) * mb),
          f("raw token counting: %.1f MB/s, %.2f M tokens/s per CPU s (wall: %.1f MB/s)", c * mb,
              c * tokens / 1e6, score(count) * mb),
          s / c, ">= 0.7"));
    }
    JsonNode asm = jmh.get("AssemblyBench.assemble");
    JsonNode enc = jmh.get("AssemblyBench.encodeOnly");
    if (asm != null && enc != null) {
      double cpuMs = cpuNanosPerOp(asm) / 1e6;
      double s = 1000 / cpuMs;
      double e = 1e9 / cpuNanosPerOp(enc);
      rows.add(row("2", "Assembly of 32K-token examples (per core)",
          f("%.1f examples/s per CPU s; CPU %.1f ms/example (wall: %.1f examples/s)", s, cpuMs,
              score(asm)),
          f("Avro encode + deflate-6 only: %.1f examples/s per CPU s (wall: %.1f)", e,
              score(enc)), s / e, ">= 0.5"));
    }

    // Row 3: LLM saturation, with the runner's default bundles and with longer ones
    llmRow(rows, dir.resolve("llm.txt"), "3", "");
    llmRow(rows, dir.resolve("llm-bundles.txt"), "3b", ", longer Flink bundles");

    // Rows 4 and 5: end to end
    Map<String, JsonNode> e2e = new LinkedHashMap<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("e2e-.*[.]json"))
          .sorted().toList()) {
        JsonNode n = JSON.readTree(f.toFile());
        e2e.put(n.get("label").asText(), n);
      }
    }
    JsonNode start = e2e.get("startup-p2");
    if (start != null) {
      startup = start.get("seconds").asDouble();
      startupCpu = start.get("processCpuSeconds").asDouble();
      rows.add(row("4", "Fixed cost of a run: the job over " + start.get("records").asLong()
              + " documents (JVM excluded)", f("%.1f s wall, %.1f CPU s; subtracted from the wall "
              + "time of the runs below to give steady-state rates", startup,
              start.get("processCpuSeconds").asDouble()), "-", Double.NaN, "-"));
    }
    JsonNode off = e2e.get("offline-p2-32k");
    JsonNode withLlm = e2e.get("fakellm-p2-32k");
    if (off != null) {
      rows.add(row("4a", "End to end, offline generator, p=2, 32K", rates(off),
          "-", Double.NaN, "-"));
    }
    if (withLlm != null) {
      rows.add(row("4b", "End to end, fake LLM (" + a.getOrDefault("llmNote", "") + "), p=2, 32K",
          rates(withLlm), off == null ? "-" : f("offline: %.2f examples/s",
              perSec(off, "examples")), off == null ? Double.NaN
              : perSec(withLlm, "examples") / perSec(off, "examples"), "-"));
    }
    if (off != null) {
      double peak = off.get("peakHeapBytes").asDouble() / (1 << 20);
      rows.add(row("4c", "Peak heap, p=2, 32K (MiniCluster JVM with -Xmx"
              + mib(off.get("maxHeapBytes").asDouble()) + ": JM + TM + client)",
          f("%.0f MiB peak used (%.0f MiB live after GC; GC %.1f s in %d collections)", peak,
              off.get("peakLiveAfterGcBytes").asDouble() / (1 << 20),
              off.get("gcSeconds").asDouble(), off.get("gcCount").asInt()),
          "1024 MiB", peak / 1024, "<= 1.0"));
    }
    JsonNode p1 = e2e.get("offline-p1-32k");
    if (off != null && p1 != null) {
      rows.add(row("5a", "Scaling: parallelism 2 vs 1 (offline, 32K)",
          f("p=1: %s", rates(p1)), f("p=2: %.2f examples/s", perSec(off, "examples")),
          perSec(off, "examples") / perSec(p1, "examples"), "(x, ideal 2)"));
    }
    JsonNode k8 = e2e.get("offline-p2-8k");
    if (off != null && k8 != null) {
      rows.add(row("5b", "Scaling: max length 8K vs 32K (offline, p=2)",
          f("8K: %s; CPU %.1f ms/example (fixed cost subtracted)", rates(k8),
              cpuMsPerExample(k8)),
          f("32K: CPU %.1f ms/example", cpuMsPerExample(off)),
          cpuMsPerExample(off) / cpuMsPerExample(k8), "(32K/8K CPU cost)"));
    }

    // Row 6: projection
    if (off != null) {
      double cpuSec = cpuMsPerExample(off) / 1000;
      double coreHours = IN2_EXAMPLES * cpuSec / 3600;
      int cores = Runtime.getRuntime().availableProcessors();
      double hoursHere = IN2_EXAMPLES / perSec(off, "examples") / 3600;
      String llmPart = "";
      if (withLlm != null) {
        JsonNode c = withLlm.get("counters");
        double qa = c.path("SynthesizeQa.qa_pairs").asDouble();
        double calls = c.path("SynthesizeQa.llm_calls").asDouble();
        double in = c.path("SynthesizeQa.llm_tokens_in").asDouble();
        double out = c.path("SynthesizeQa.llm_tokens_out").asDouble();
        double ex = withLlm.get("examples").asDouble();
        double scale = IN2_EXAMPLES / ex;
        llmPart = f("; LLM: %.2fM calls (%.3f per example, retries included), %.2fB prompt + "
                + "%.2fB completion tokens (fake server's counts; %.0f QA pairs per %.0f examples)",
            calls * scale / 1e6, calls / ex, in * scale / 1e9, out * scale / 1e9, qa, ex);
      }
      rows.add(row("6", "IN2 scale: 1.75M examples, 32K, offline QA (no LLM time)",
          f("%.1f core-hours (%.1f CPU ms/example, fixed cost subtracted); %.1f h on this %d-core "
              + "machine at p=2",
              coreHours, cpuSec * 1000, hoursHere, cores) + llmPart,
          "-", Double.NaN, "-"));
    }

    String machine = machine(a);
    StringBuilder table = new StringBuilder();
    table.append("| # | benchmark | measured | limit / baseline (same run) | ratio | goal |\n");
    table.append("|---|---|---|---|---|---|\n");
    for (String[] r : rows) {
      table.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    System.out.println(machine);
    System.out.println(table);
    if (a.containsKey("markdown")) {
      StringBuilder md = new StringBuilder();
      md.append("# Benchmarks\n\n");
      md.append("Written by `scripts/bench.sh` (do not edit the table by hand; the analysis below "
          + "comes from `docs/benchmarks-analysis.md`).\n\n");
      md.append(machine).append("\n\n").append(table).append('\n');
      Path analysis = Path.of(a.getOrDefault("analysis", "docs/benchmarks-analysis.md"));
      if (Files.exists(analysis)) {
        md.append(Files.readString(analysis));
      }
      Files.writeString(Path.of(a.get("markdown")), md.toString());
    }
  }

  private static void llmRow(List<String[]> rows, Path llm, String n, String note)
      throws java.io.IOException {
    if (!Files.exists(llm)) {
      return;
    }
    String[] async = null;
    String[] sync = null;
    double ceiling = Double.NaN;
    String header = "";
    for (String line : Files.readAllLines(llm, StandardCharsets.UTF_8)) {
      if (line.startsWith("Fake server:")) {
        header = line.substring("Fake server: ".length(), line.indexOf(", so"));
        ceiling = Double.parseDouble(line.replaceAll(".*C/L = ([0-9.]+).*", "$1"));
      } else if (line.startsWith("| SynthesizeQa")) {
        async = cells(line);
      } else if (line.startsWith("| plain synchronous")) {
        sync = cells(line);
      }
    }
    if (async == null || sync == null) {
      return;
    }
    double ar = Double.parseDouble(async[4]);
    double sr = Double.parseDouble(sync[4]);
    rows.add(row(n, "LLM saturation on Flink (" + header + note + ")",
        f("%s: %.1f requests/s (%s requests); sync DoFn %.1f requests/s = %.3f of C/L; "
            + "speed-up %.0fx", async[0], ar, async[2], sr, sr / ceiling, ar / sr),
        f("C/L = %.1f requests/s", ceiling), ar / ceiling, ">= 0.95"));
  }

  private static String machine(Map<String, String> a) {
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean();
    return f("Machine: %d cores, %.1f GiB memory, %s %s (%s), %s; bench.sh took %s s; load average "
            + "%s at the start and %s at the end (1/5/15 min)",
        Runtime.getRuntime().availableProcessors(),
        os.getTotalMemorySize() / (double) (1L << 30), System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), System.getProperty("os.name") + " "
            + System.getProperty("os.arch"),
        ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm zzz")),
        a.getOrDefault("seconds", "?"), a.getOrDefault("loadStart", "?"),
        a.getOrDefault("loadEnd", "?"));
  }

  private static double cpuNanosPerOp(JsonNode b) {
    JsonNode sec = b.get("secondaryMetrics");
    return sec.get("cpuNanos").get("score").asDouble() / sec.get("ops").get("score").asDouble();
  }

  private static double score(JsonNode b) {
    return b.get("primaryMetric").get("score").asDouble();
  }

  private static String[] cells(String line) {
    String[] parts = line.split("\\|");
    String[] out = new String[parts.length - 1];
    for (int i = 1; i < parts.length; i++) {
      out[i - 1] = parts[i].trim();
    }
    return out;
  }

  /** Wall seconds of the run over 3 documents: the fixed cost of every run, subtracted. */
  private static double startup = 0;
  /** CPU seconds of the run over 3 documents, subtracted likewise. */
  private static double startupCpu = 0;

  private static double perSec(JsonNode run, String field) {
    return run.get(field).asDouble() / (run.get("seconds").asDouble() - startup);
  }

  private static double cpuMsPerExample(JsonNode run) {
    return (run.get("processCpuSeconds").asDouble() - startupCpu) * 1000
        / run.get("examples").asDouble();
  }

  private static String rates(JsonNode run) {
    return f("%.2f documents/s, %.2f examples/s steady (%d records, %d examples in %.1f s wall, fixed "
            + "cost included; %.0f CPU s)", perSec(run, "records"), perSec(run, "examples"),
        run.get("records").asLong(), run.get("examples").asLong(), run.get("seconds").asDouble(),
        run.get("processCpuSeconds").asDouble());
  }

  private static String mib(double bytes) {
    return f("%.0fm", bytes / (1 << 20));
  }

  private static String[] row(String n, String name, String measured, String limit, double ratio,
      String goal) {
    String r = Double.isNaN(ratio) ? "-" : f("%.2f", ratio);
    return new String[] {n, name, measured, limit, r, goal};
  }

  private static String f(String fmt, Object... args) {
    return String.format(Locale.ROOT, fmt, args);
  }
}
