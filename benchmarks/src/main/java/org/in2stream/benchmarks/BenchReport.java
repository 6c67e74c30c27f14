package org.in2stream.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;

/**
 * Turns the results of one {@code scripts/bench.sh} run into {@code docs/BENCHMARKS.md}: JMH's JSON
 * (rows 1, 2), the LLM saturation benchmark's output (row 3), the end-to-end runs' JSON (rows 4-6),
 * the goal rows computed from them (row 7), the IN2-scale projection (row 8) and the JFR profile of
 * the offline p=2 32K run. Every figure, prose included, is filled into
 * {@code bench/BENCHMARKS.md.template} from these results; before writing, the document is checked
 * with {@link ProseFigures} (a prose figure missing from the tables stops the run).
 *
 * <pre>BenchReport --dir=RESULTS --corpus=DIR --markdown=docs/BENCHMARKS.md --seconds=S
 *     --loadStart=L --loadEnd=L [--mode=default|cluster|full] [--llmNote=TEXT] [--docsPerWindow=N]
 *     [--corpusDocs=N] [--date=WHEN]</pre>
 * ({@code --date}: when the run ended, default now; bench.sh renders right after its run.)
 */
public final class BenchReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The IN2 mixture of the paper (An et al. 2024): fine-grained + multi-segment + short-context. */
  static final long IN2_FINE = 1_100_000;
  static final long IN2_MULTI = 300_000;
  static final long IN2_SHORT = 150_000;
  static final long IN2_EXAMPLES = IN2_FINE + IN2_MULTI + IN2_SHORT;
  /** The goals of issue 15 (also printed in the goal column, where the prose may quote them). */
  static final double GOAL_E2E_VS_LIMIT = 2.0;
  static final double GOAL_P2_OVER_P1 = 1.6;
  static final double GOAL_32K_OVER_8K = 4.0;
  static final double GOAL_STARTUP_SHARE = 0.10;
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z.]+)}}");

  private final List<String[]> rows = new ArrayList<>();
  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<String> verdicts = new ArrayList<>();

  private BenchReport() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : argv) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    String md = report(Path.of(a.get("dir")), a);
    System.out.println(md);
    List<ProseFigures.Violation> bad = ProseFigures.check(md);
    if (!bad.isEmpty()) {
      bad.forEach(v -> System.err.println("BenchReport: " + v));
      System.err.println("BenchReport: not written: prose figures missing from the tables");
      System.exit(1);
    }
    if (a.containsKey("markdown")) {
      Files.writeString(Path.of(a.get("markdown")), md);
    }
  }

  /** The document for the results in {@code dir}; {@code a} holds the command-line settings. */
  static String report(Path dir, Map<String, String> a) throws IOException {
    return new BenchReport().render(dir, a);
  }

  private String render(Path dir, Map<String, String> a) throws IOException {
    microRows(dir, a);
    llmRow(dir.resolve("llm.txt"), "3");
    Map<String, JsonNode> e2e = new LinkedHashMap<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("e2e-.*[.]json"))
          .sorted().toList()) {
        JsonNode n = JSON.readTree(f.toFile());
        e2e.put(n.get("label").asText(), n);
      }
    }
    endToEndRows(e2e, a);
    Path jfr = dir.resolve("offline-p2-32k.jfr");
    String profileTable = Files.exists(jfr) ? profile(JfrProfile.read(jfr)) : "";
    if (profileTable.isEmpty()) {
      values.put("prose.profile", "No JFR recording in this run, so no profile.");
    }

    StringBuilder table = new StringBuilder();
    table.append("| # | benchmark | measured | limit / baseline (same run) | ratio | goal |\n");
    table.append("|---|---|---|---|---|---|\n");
    for (String[] r : rows) {
      table.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    values.put("table.main", table.toString().stripTrailing());
    values.put("table.machine", machine(a));
    values.put("table.profile", profileTable);
    values.put("run.date", a.getOrDefault("date",
        ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm zzz"))));
    values.putIfAbsent("prose.projection", "No offline 32K run in this run, so no projection.");
    values.put("prose.verdicts", verdicts.isEmpty() ? "No goal rows in this run."
        : String.join("\n", verdicts));
    return fill(template(), values);
  }

  static String template() throws IOException {
    try (InputStream in = BenchReport.class.getResourceAsStream("/bench/BENCHMARKS.md.template")) {
      if (in == null) {
        throw new IllegalStateException("bench/BENCHMARKS.md.template is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Replaces every {@code {{key}}}; a key without a value is an error, not an empty string. */
  static String fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null) {
        throw new IllegalStateException("no value for {{" + m.group(1) + "}}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  // ---- rows 1 and 2: JMH ----

  private double asmCpuMs = Double.NaN;
  private double encCpuMs = Double.NaN;

  private void microRows(Path dir, Map<String, String> a) throws IOException {
    Path json = dir.resolve("jmh.json");
    if (!Files.exists(json)) {
      return;
    }
    Map<String, JsonNode> jmh = new LinkedHashMap<>();
    for (JsonNode b : JSON.readTree(json.toFile())) {
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
      double s = 1e9 / cpuNanosPerOp(seg);
      double c = 1e9 / cpuNanosPerOp(count);
      row("1", "Segmentation (1 thread, " + docs + " docs, " + f("%.2f MB", mb) + ", cl100k)",
          f("%.1f MB/s, %.2f M tokens/s per CPU s (wall: %.1f MB/s)", s * mb, s * tokens / 1e6,
              score(seg) * mb),
          f("raw token counting: %.1f MB/s, %.2f M tokens/s per CPU s (wall: %.1f MB/s)", c * mb,
              c * tokens / 1e6, score(count) * mb),
          s / c, ">= 0.7");
    }
    JsonNode asm = jmh.get("AssemblyBench.assemble");
    JsonNode enc = jmh.get("AssemblyBench.encodeOnly");
    if (asm != null && enc != null) {
      asmCpuMs = round1(cpuNanosPerOp(asm) / 1e6);
      encCpuMs = round1(cpuNanosPerOp(enc) / 1e6);
      row("2", "Assembly of 32K-token examples (per core)",
          f("%.1f examples/s per CPU s; CPU %.1f ms/example (wall: %.1f examples/s)",
              1e9 / cpuNanosPerOp(asm), asmCpuMs, score(asm)),
          f("Avro encode + deflate-6 only: %.1f examples/s per CPU s, CPU %.1f ms/example "
              + "(wall: %.1f)", 1e9 / cpuNanosPerOp(enc), encCpuMs, score(enc)),
          cpuNanosPerOp(enc) / cpuNanosPerOp(asm), ">= 0.5");
    }
  }

  // ---- row 3: LLM saturation ----

  private void llmRow(Path llm, String n) throws IOException {
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
    row(n, "LLM saturation on Flink (" + header + ")",
        f("%s: %.1f requests/s (%s requests); sync DoFn %.1f requests/s = %.3f of C/L; "
            + "speed-up %.0fx", async[0], ar, async[2], sr, sr / ceiling, ar / sr),
        f("C/L = %.1f requests/s", ceiling), ar / ceiling, ">= 0.95");
  }

  // ---- rows 4-8: end to end, goals, projection ----

  /** A run's figures, rounded once to the precision they are printed with. */
  record Run(String label, long docs, long examples, double wall, double cpu, double docsPerSec,
      double examplesPerSec, double cpuMsPerExample, long meanTokens, double cores, JsonNode json) {
    static Run of(JsonNode n) {
      long docs = n.get("records").asLong();
      long ex = n.get("examples").asLong();
      double wall = round1(n.get("seconds").asDouble());
      double cpu = round1(n.get("processCpuSeconds").asDouble());
      return new Run(n.get("label").asText(), docs, ex, wall, cpu, round1(docs / wall),
          round1(ex / wall), round1(cpu * 1000 / ex),
          ex == 0 ? 0 : Math.round(n.path("contextTokens").asDouble() / ex), round2(cpu / wall), n);
    }

    String rates() {
      return f("%.1f documents/s, %.1f examples/s; CPU %.1f ms/example; %d documents, %d examples "
              + "(mean %d context tokens) in %.1f s wall, %.1f CPU s (%.2f cores busy)", docsPerSec,
          examplesPerSec, cpuMsPerExample, docs, examples, meanTokens, wall, cpu, cores);
    }
  }

  private void endToEndRows(Map<String, JsonNode> e2e, Map<String, String> a) {
    JsonNode startJson = e2e.get("startup-p2");
    double startup = Double.NaN;
    if (startJson != null) {
      Run s = Run.of(startJson);
      startup = s.wall;
      row("4", "Start-up: the job over " + s.docs + " documents (p=2, 8K)",
          f("%.1f s wall, %.1f CPU s (shown, not subtracted)", s.wall, s.cpu), "-", Double.NaN,
          "-");
    }
    String[][] runs = {
        {"5a", "offline-p1-8k", "offline generator, p=1, 8K"},
        {"5a1", "offline-p1-8k-1core", "offline generator, p=1 on one core (taskset), 8K"},
        {"5b", "offline-p2-8k", "offline generator, p=2, 8K"},
        {"5c", "offline-p1-32k", "offline generator, p=1, 32K"},
        {"5c1", "offline-p1-32k-1core", "offline generator, p=1 on one core (taskset), 32K"},
        {"5d", "offline-p2-32k", "offline generator, p=2, 32K"},
        {"5e", "fakellm-p1-32k", "fake LLM (" + a.getOrDefault("llmNote", "") + "), p=1, 32K"},
        {"5f", "fakellm-p2-32k", "fake LLM (" + a.getOrDefault("llmNote", "") + "), p=2, 32K"},
    };
    Map<String, Run> by = new LinkedHashMap<>();
    List<String> overShare = new ArrayList<>();
    for (String[] r : runs) {
      JsonNode n = e2e.get(r[1]);
      if (n == null) {
        continue;
      }
      Run run = Run.of(n);
      by.put(r[1], run);
      double share = startup / run.wall;
      row(r[0], "End to end, " + r[2], run.rates(),
          Double.isNaN(startup) ? "-" : f("start-up %.1f s of %.1f s wall", startup, run.wall),
          share, f("<= %.2f start-up share", GOAL_STARTUP_SHARE));
      if (!Double.isNaN(share) && round2(share) > GOAL_STARTUP_SHARE) {
        overShare.add(f("%s (%.2f)", r[0], share));
      }
    }
    JsonNode clusterJson = e2e.get("cluster-offline-p2-32k");
    Run mini = by.get("offline-p2-32k");
    if (clusterJson != null) {
      Run c = Run.of(clusterJson);
      row("5g", f("End to end on the standalone cluster (JobManager and TaskManager processes), "
              + "offline generator, p=%d, 32K", clusterJson.path("parallelism").asInt()),
          c.rates() + f("; TaskManager heap peak %.0f MiB of %.0f MiB (sampled every second); "
              + "CPU of the cluster's processes, not of the submitting client",
              clusterJson.path("peakHeapBytes").asDouble() / (1 << 20),
              clusterJson.path("maxHeapBytes").asDouble() / (1 << 20)),
          mini == null ? "-" : f("row 5d on the MiniCluster: %.1f documents/s, %.1f CPU "
              + "ms/example", mini.docsPerSec, mini.cpuMsPerExample),
          mini == null ? Double.NaN : c.docsPerSec / mini.docsPerSec, "-");
    }
    if (!Double.isNaN(startup)) {
      verdicts.add(overShare.isEmpty()
          ? f("- **Steady state:** start-up is at most %.2f of every end-to-end run (rows 5a-5f): "
              + "met.", GOAL_STARTUP_SHARE)
          : f("- **Steady state:** start-up is more than %.2f of the wall time of %s: **missed** "
              + "there, so those rows still carry part of the start-up.", GOAL_STARTUP_SHARE,
              String.join(", ", overShare)));
    }
    Run p2 = by.get("offline-p2-32k");
    if (p2 != null) {
      JsonNode j = p2.json;
      double peak = j.get("peakHeapBytes").asDouble() / (1 << 20);
      double max = j.get("maxHeapBytes").asDouble() / (1 << 20);
      row("6", f("Peak heap, offline p=2, 32K (MiniCluster JVM with -Xmx%.0fm: JM + TM + client)",
              max),
          f("%.0f MiB peak used (%.0f MiB live after GC; GC %.1f s in %d collections)", peak,
              j.get("peakLiveAfterGcBytes").asDouble() / (1 << 20), j.get("gcSeconds").asDouble(),
              j.get("gcCount").asInt()),
          f("%.0f MiB", max), peak / max, "<= 1.0");
    }
    goals(by);
    projection(by, a);
    streamRows(e2e.get("stream-cluster-p2-32k"), mini);
  }

  /** Rows 9: the streaming job on the standalone cluster, fed a live stream at a fixed rate. */
  private void streamRows(JsonNode s, Run replay) {
    if (s == null) {
      return;
    }
    double seconds = round1(s.path("seconds").asDouble());
    long docs = s.path("documents").asLong();
    double cpu = round1(s.path("processCpuSeconds").asDouble());
    double docsPerSec = round1(docs / seconds);
    double rate = s.path("inputDocsPerSecond").asDouble();
    double interval = s.path("checkpointIntervalMillis").asDouble();
    row("9a", f("Streaming on the standalone cluster: offline generator, p=%d, 32K, a live stream "
            + "at a fixed rate (%d s windows), checkpoints every %.0f s",
            s.path("parallelism").asInt(), s.path("windowSeconds").asInt(), interval / 1000),
        f("%.1f documents/s (%d documents out of the Kafka source vertex in %.1f s, after %d s of "
            + "warm-up); CPU %.1f ms/document, %.1f CPU s (%.2f cores busy; JobManager and "
            + "TaskManager processes)", docsPerSec, docs, seconds,
            s.path("warmupSeconds").asInt(), cpu * 1000 / Math.max(1, docs), cpu, cpu / seconds),
        f("input: %.1f documents/s%s", rate, replay == null ? ""
            : f("; row 5d replay: %.1f documents/s", replay.docsPerSec)),
        rate > 0 ? docsPerSec / rate : Double.NaN, ">= 0.95 (keeps up)");
    double avg = s.path("checkpointAvgMillis").asDouble();
    row("9b", "Checkpoints of the streaming job (row 9a), from its start to the end of the "
            + "measurement",
        f("%d completed, %d failed; state size of the last %.1f MiB, largest %.1f MiB; "
            + "end-to-end duration avg %.0f ms, p90 %.0f ms, max %.0f ms",
            s.path("checkpointsCompleted").asLong(), s.path("checkpointsFailed").asLong(),
            s.path("checkpointLastStateBytes").asDouble() / (1 << 20),
            s.path("checkpointMaxStateBytes").asDouble() / (1 << 20), avg,
            s.path("checkpointP90Millis").asDouble(), s.path("checkpointMaxMillis").asDouble()),
        f("checkpoint interval %.0f ms", interval), interval > 0 ? avg / interval : Double.NaN,
        "<= 1.0 (avg duration / interval)");
    double peak = s.path("peakHeapBytes").asDouble() / (1 << 20);
    double max = s.path("maxHeapBytes").asDouble() / (1 << 20);
    row("9c", "TaskManager heap of the streaming job (row 9a)",
        f("%.0f MiB peak used (sampled every second)", peak), f("%.0f MiB heap", max),
        max > 0 ? peak / max : Double.NaN, "<= 1.0");
  }

  private void goals(Map<String, Run> by) {
    Run p2 = by.get("offline-p2-32k");
    Run p1 = by.get("offline-p1-32k");
    Run p2s = by.get("offline-p2-8k");
    Run p1s = by.get("offline-p1-8k");
    if (p2 != null && !Double.isNaN(asmCpuMs)) {
      double limit = round1(asmCpuMs + encCpuMs);
      double ratio = round2(p2.cpuMsPerExample / limit);
      String p1Part = p1 == null ? "" : f("; p=1: %.1f ms, ratio %.2f", p1.cpuMsPerExample,
          p1.cpuMsPerExample / limit);
      row("7a", "Goal: end-to-end CPU per example, offline p=2, 32K, vs assembly + encode-only",
          f("%.1f CPU ms/example (row 5d%s)", p2.cpuMsPerExample, p1Part),
          f("assembly %.1f + encode-only %.1f = %.1f CPU ms/example (row 2)", asmCpuMs, encCpuMs,
              limit), ratio, f("<= %.0f", GOAL_E2E_VS_LIMIT));
      verdicts.add(f("- **End-to-end CPU per 32K example:** %.1f ms against %.1f ms for assembly "
              + "plus encode-only of one example at the maximum length, a ratio of %.2f; the goal "
              + "is at most %.0f: %s.", p2.cpuMsPerExample, limit, ratio, GOAL_E2E_VS_LIMIT,
          ratio <= GOAL_E2E_VS_LIMIT ? "met" : "**missed**; the profile below shows where the rest "
              + "of the CPU goes"));
    }
    if (p2 != null && p1 != null) {
      scaling("7b", "32K", p1, p2);
    }
    if (p2s != null && p1s != null) {
      scaling("7c", "8K", p1s, p2s);
    }
    Run p1One = by.get("offline-p1-32k-1core");
    Run p1sOne = by.get("offline-p1-8k-1core");
    if (p2 != null && p1One != null) {
      perCore("7e", "32K", p1One, p2);
    }
    if (p2s != null && p1sOne != null) {
      perCore("7f", "8K", p1sOne, p2s);
    }
    if (p2 != null && p2s != null) {
      double ratio = round2(p2.cpuMsPerExample / p2s.cpuMsPerExample);
      double tokens = (double) p2.meanTokens / p2s.meanTokens;
      row("7d", "Goal: CPU per example, 32K vs 8K (offline, p=2)",
          f("32K: %.1f CPU ms/example, mean %d context tokens (row 5d)", p2.cpuMsPerExample,
              p2.meanTokens),
          f("8K: %.1f CPU ms/example, mean %d context tokens (row 5b); tokens ratio %.2f",
              p2s.cpuMsPerExample, p2s.meanTokens, tokens),
          ratio, f("<= %.0f", GOAL_32K_OVER_8K));
      verdicts.add(f("- **32K vs 8K:** a 32K example costs %.2f times the CPU of an 8K one, with "
              + "%.2f times the context tokens; the goal is at most %.0f: %s.", ratio, tokens,
          GOAL_32K_OVER_8K, ratio <= GOAL_32K_OVER_8K ? "met" : "**missed**"));
    }
  }

  private void scaling(String n, String length, Run p1, Run p2) {
    double ratio = round2(p2.docsPerSec / p1.docsPerSec);
    double cpuRatio = p2.cpuMsPerExample / p1.cpuMsPerExample;
    double bound = round2(cores() / p1.cores);
    row(n, "Goal: throughput p=2 vs p=1 (offline, " + length + ")",
        f("p=2: %.1f documents/s, %.1f CPU ms/example", p2.docsPerSec, p2.cpuMsPerExample),
        f("p=1: %.1f documents/s, %.1f CPU ms/example; CPU per example ratio %.2f; bound on "
            + "%d cores: %d / %.2f cores busy at p=1 = %.2f", p1.docsPerSec, p1.cpuMsPerExample,
            cpuRatio, cores(), cores(), p1.cores, bound), ratio, f(">= %.1f", GOAL_P2_OVER_P1));
    String why = ratio >= GOAL_P2_OVER_P1 ? "met" : f("**missed**. "
        + (p1.docs == p2.docs ? "Both runs read the same documents. " : "")
        + "The throughput ratio is the ratio of cores busy divided by the ratio of CPU per "
        + "example: the JVM kept %.2f cores busy at p=1 and %.2f at p=2 (CPU seconds per wall "
        + "second), and an example cost %.2f times the CPU at p=2. Nothing in the job runs one "
        + "element at a time: at p=1 a bounded replay already runs its stages side by side (each "
        + "shuffle's sort, spill and merge threads, the tasks of the steps before and after it, "
        + "GC), so on %d cores p=2 can run at most %.2f times as fast as p=1 (%d cores over %.2f "
        + "busy), less what other load on the machine takes (load averages in the machine "
        + "table). Rows 7e and 7f give p=1 one core of its own and compare again", p1.cores,
        p2.cores, cpuRatio, cores(), bound, cores(), p1.cores);
    verdicts.add(f("- **Parallelism, %s:** p=2 runs %.2f times as many documents per second as "
        + "p=1; the goal is at least %.1f: %s.", length, ratio, GOAL_P2_OVER_P1, why));
  }

  /**
   * Scaling per core: p=1 pinned to one core (taskset) against p=2 on all of them, both from the
   * same prefix of the topic.
   */
  private void perCore(String n, String length, Run p1, Run p2) {
    double ratio = round2(p2.docsPerSec / p1.docsPerSec);
    double cpuRatio = p2.cpuMsPerExample / p1.cpuMsPerExample;
    row(n, "Goal: throughput p=2 on " + cores() + " cores vs p=1 on one core (offline, " + length
            + ")",
        f("p=2: %.1f documents/s, %.1f CPU ms/example, %.2f cores busy", p2.docsPerSec,
            p2.cpuMsPerExample, p2.cores),
        f("p=1 on one core: %.1f documents/s, %.1f CPU ms/example, %.2f cores busy; CPU per "
            + "example ratio %.2f", p1.docsPerSec, p1.cpuMsPerExample, p1.cores, cpuRatio), ratio,
        f(">= %.1f", GOAL_P2_OVER_P1));
    verdicts.add(f("- **Parallelism per core, %s:** with one core of its own (taskset) p=1 runs "
            + "%.1f documents per second; p=2 on %d cores runs %.2f times that; the goal is at "
            + "least %.1f: %s.", length, p1.docsPerSec, cores(), ratio, GOAL_P2_OVER_P1,
        ratio >= GOAL_P2_OVER_P1 ? "met"
            : f("**missed**; an example cost %.2f times the CPU at p=2", cpuRatio)));
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  private void projection(Map<String, Run> by, Map<String, String> a) {
    Run off = by.get("offline-p2-32k");
    if (off == null) {
      return;
    }
    double coreHours = round1(IN2_EXAMPLES * off.cpuMsPerExample / 1000 / 3600);
    double hoursHere = round1(IN2_EXAMPLES / off.examplesPerSec / 3600);
    int cores = cores();
    String llmPart = "";
    String llmProse = " The offline generator makes no LLM call; no fake-LLM run was made, so the "
        + "LLM calls are not projected.";
    Run llm = by.containsKey("fakellm-p2-32k") ? by.get("fakellm-p2-32k")
        : by.get("fakellm-p1-32k");
    if (llm != null) {
      JsonNode c = llm.json.get("counters");
      double calls = 0;
      double in = 0;
      double out = 0;
      List<String> callers = new ArrayList<>();
      for (var it = c.fields(); it.hasNext(); ) {
        var e = it.next();
        if (e.getKey().endsWith(".llm_calls")) {
          calls += e.getValue().asDouble();
          if (e.getValue().asDouble() > 0) {
            callers.add(e.getKey().substring(0, e.getKey().indexOf('.')));
          }
        } else if (e.getKey().endsWith(".llm_tokens_in")) {
          in += e.getValue().asDouble();
        } else if (e.getKey().endsWith(".llm_tokens_out")) {
          out += e.getValue().asDouble();
        }
      }
      double ex = llm.examples;
      double perEx = round2(calls / ex);
      double callsM = round2(IN2_EXAMPLES * calls / ex / 1e6);
      double inB = round2(IN2_EXAMPLES * in / ex / 1e9);
      double outB = round2(IN2_EXAMPLES * out / ex / 1e9);
      llmPart = f("; LLM (row %s): %.2f calls per example (%s, retries included) = %.2fM calls; "
              + "estimated %.2fB prompt + %.2fB completion tokens (fake server's counts)",
          llm.label.endsWith("p2-32k") ? "5f" : "5e", perEx,
          callers.isEmpty() ? "no caller" : String.join(" + ", callers), callsM, inB, outB);
      llmProse = f(" The LLM side, from the fake-LLM run: %.2f calls per example, counted over "
              + "every step that calls the server (%s; retries included), so %.2fM calls for the "
              + "mixture, with an estimated %.2fB prompt and %.2fB completion tokens (the fake "
              + "server's counts, an estimate of what a real model would see).", perEx,
          callers.isEmpty() ? "none called it" : String.join(", ", callers), callsM, inB, outB);
    }
    String mix = f("%.2fM examples (%.1fM fine-grained + %dK multi-segment + %dK short-context)",
        IN2_EXAMPLES / 1e6, IN2_FINE / 1e6, IN2_MULTI / 1000, IN2_SHORT / 1000);
    row("8", "IN2 scale: " + mix + ", offline QA (no LLM time)",
        f("%.1f core-hours at %.1f CPU ms/example (row 5d); %.1f h on this %d-core machine at "
            + "%.1f examples/s", coreHours, off.cpuMsPerExample, hoursHere, cores,
            off.examplesPerSec) + llmPart, "-", Double.NaN, "-");
    values.put("prose.projection", f("The paper's mixture is %s. At the CPU cost per example of "
            + "the offline p=2 32K run (%.1f ms, start-up included), assembling it takes %.1f "
            + "core-hours; at that run's rate (%.1f examples/s) this %d-core machine would need "
            + "%.1f h. Short-context examples are cheaper than the run's mix of lengths, so this "
            + "errs high for them.", mix, off.cpuMsPerExample, coreHours, off.examplesPerSec, cores,
        hoursHere) + llmProse);
  }

  // ---- the profile ----

  private String profile(JfrProfile.Attribution p) {
    if (p.samples() == 0) {
      values.put("prose.profile", "The JFR recording holds no CPU samples.");
      return "";
    }
    StringBuilder t = new StringBuilder();
    t.append("| attribution | where | samples | share |\n|---|---|---|---|\n");
    List<String[]> top = shares(p.byTopFrame(), p.samples(), 12);
    List<String[]> ours = shares(p.byOurFrame(), p.samples(), 14);
    for (String[] r : top) {
      t.append("| top non-JDK frame | ").append(String.join(" | ", r)).append(" % |\n");
    }
    for (String[] r : ours) {
      t.append("| nearest in2-stream class | ").append(String.join(" | ", r)).append(" % |\n");
    }
    List<String[]> threads = shares(p.byThread(), p.samples(), 8);
    for (String[] r : threads) {
      t.append("| thread (Flink task and subtask) | ").append(String.join(" | ", r))
          .append(" % |\n");
    }
    t.append(f("| all | CPU samples of the offline p=2 32K run | %d | 100 %% |\n", p.samples()));
    values.put("prose.profile", f("Of the %d CPU samples of the offline p=2 32K run, the top "
            + "non-JDK frame (JDK helpers count for their caller) was in %s for %s %% of them, %s "
            + "for %s %% and %s for %s %%. Attributed to the "
            + "nearest in2-stream class on the stack (the step that caused the work), the largest "
            + "are %s (%s %%), %s (%s %%) and %s (%s %%). The changes that earlier "
            + "profiles of this run led to, and what they saved, are in "
            + "`docs/benchmarks-analysis.md`. By thread, the "
            + "busiest is %s with %s %% of the samples.",
        p.samples(), cell(top, 0, 0), cell(top, 0, 2), cell(top, 1, 0), cell(top, 1, 2),
        cell(top, 2, 0), cell(top, 2, 2), cell(ours, 0, 0), cell(ours, 0, 2), cell(ours, 1, 0),
        cell(ours, 1, 2), cell(ours, 2, 0), cell(ours, 2, 2), cell(threads, 0, 0),
        cell(threads, 0, 2)));
    return t.toString().stripTrailing();
  }

  private static String cell(List<String[]> rows, int r, int c) {
    return r < rows.size() ? rows.get(r)[c] : "-";
  }

  private static List<String[]> shares(Map<String, Long> m, long total, int max) {
    List<String[]> out = new ArrayList<>();
    long rest = 0;
    int i = 0;
    for (var e : m.entrySet()) {
      if (i++ < max) {
        out.add(new String[] {e.getKey(), Long.toString(e.getValue()),
            f("%.1f", 100.0 * e.getValue() / total)});
      } else {
        rest += e.getValue();
      }
    }
    if (rest > 0) {
      out.add(new String[] {"(the rest)", Long.toString(rest), f("%.1f", 100.0 * rest / total)});
    }
    return out;
  }

  // ---- helpers ----

  private static String machine(Map<String, String> a) {
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean();
    StringBuilder t = new StringBuilder("| machine and run | |\n|---|---|\n");
    t.append(f("| cores, memory | %d cores, %.1f GiB |\n", cores(),
        os.getTotalMemorySize() / (double) (1L << 30)));
    t.append(f("| JVM, OS | %s %s, %s %s |\n", System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), System.getProperty("os.name"),
        System.getProperty("os.arch")));
    t.append(f("| bench.sh mode, duration | %s, %s s |\n", a.getOrDefault("mode", "default"),
        a.getOrDefault("seconds", "?")));
    t.append(f("| corpus, stream | %s generated documents; %s documents per event-time window |\n",
        a.getOrDefault("corpusDocs", "?"), a.getOrDefault("docsPerWindow", "?")));
    t.append(f("| load average (1/5/15 min) | %s at the start, %s at the end |",
        a.getOrDefault("loadStart", "?"), a.getOrDefault("loadEnd", "?")));
    return t.toString();
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

  private void row(String n, String name, String measured, String limit, double ratio,
      String goal) {
    String r = Double.isNaN(ratio) ? "-" : f("%.2f", ratio);
    rows.add(new String[] {n, name, measured, limit, r, goal});
  }

  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  static String f(String fmt, Object... args) {
    return String.format(Locale.ROOT, fmt, args);
  }
}
