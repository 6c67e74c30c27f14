package org.in2stream.runners.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * A job's progress in documents through every stage, from its Beam counters as Flink's REST API
 * serves them (no metrics reporter needed): Beam's Flink runner hands a task's counters to Flink
 * twice, live as operator metrics while the task runs (a source after every record, a DoFn after
 * every bundle; a batch task is one bundle, so its DoFn counters arrive when it ends) and as the
 * job accumulator {@value #BEAM_ACCUMULATOR} when it closes. Flink's REST API drops a task's
 * operator metrics when the task ends, so the job's count of a counter is the accumulator (tasks
 * that ended) plus the operator metrics (tasks running); for up to one metric fetch (10 s) after a
 * task ends it can count in both. Stages: records read from Kafka, documents decoded, left after deduplication (and
 * decontamination), segmented, QA requests and pairs, examples out and dead letters; each with its
 * count, its yield per record read, its average rate and, for a replay, an ETA.
 *
 * <p>A replay's size is known before it starts (the end offsets it resolved at launch):
 * {@code KafkaRangeSource.replay_records}, a gauge every split of the source sets to the whole
 * replay's record count. The input lag is that size minus the records read. A later stage's final
 * count is estimated from its yield so far ({@code count / read × replay size}); its ETA is what is
 * left of that estimate at its average rate. A stream has no end: counts and rates only.
 */
public final class ReplayProgress {
  /** Where Flink's REST API puts a Beam metric of ours inside an operator metric's id. */
  static final String OUR_PREFIX = "org_in2stream_";
  /** The accumulator in which Beam's Flink runner hands a finished task's metrics to Flink. */
  static final String BEAM_ACCUMULATOR = "__metricscontainers";
  /** A gauge (the same value on every subtask): merged by max, not summed. */
  static final String REPLAY_RECORDS = "KafkaRangeSource.replay_records";
  private static final String SUM = "beam:metric:user:sum_int64:v1";
  private static final String LATEST = "beam:metric:user:latest_int64:v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One stage of the table. */
  public record Stage(String name, String counter, double count, double perRecordRead,
      double ratePerSecond, double expectedTotal, double etaSeconds, String state) {}

  /** The table: the replay's size (NaN for a stream), records read, and every stage. */
  public record Progress(double replayRecords, double read, double elapsedSeconds,
      List<Stage> stages) {
    /** The largest stage ETA: when the last stage is expected to finish (NaN when unknown). */
    public double etaSeconds() {
      OptionalDouble max = stages.stream().mapToDouble(Stage::etaSeconds)
          .filter(d -> !Double.isNaN(d)).max();
      return max.orElse(Double.NaN);
    }

    /** True when some stage that has not finished has no ETA: {@link #etaSeconds} is a floor. */
    public boolean etaIsAFloor() {
      return stages.stream().anyMatch(s -> Double.isNaN(s.etaSeconds()));
    }
  }

  private ReplayProgress() {}

  /**
   * The counters of the job's finished tasks, from {@code GET /jobs/:job/accumulators}: Beam's
   * Flink runner puts a task's metrics into the accumulator {@value #BEAM_ACCUMULATOR} when the task
   * closes, as Beam monitoring infos ({@code sum_int64}: a var-int; {@code latest_int64}: var-int
   * time, var-int value). Summed per {@code Class.name} (max for the replay-size gauge).
   */
  public static Map<String, Double> parseAccumulators(JsonNode answer) throws IOException {
    Map<String, Double> out = new TreeMap<>();
    for (JsonNode acc : answer.path("user-task-accumulators")) {
      if (!BEAM_ACCUMULATOR.equals(acc.path("name").asText())) {
        continue;
      }
      JsonNode infos = JSON.readTree(acc.path("value").asText()).path("metrics").path("attempted");
      for (JsonNode info : infos) {
        String ns = info.path("labels").path("NAMESPACE").asText();
        if (!ns.startsWith("org.in2stream.")) {
          continue;
        }
        String name = ns.substring(ns.lastIndexOf('.') + 1) + "."
            + info.path("labels").path("NAME").asText();
        byte[] payload = Base64.getDecoder().decode(info.path("payload").asText());
        String urn = info.path("urn").asText();
        if (SUM.equals(urn)) {
          merge(out, name, varLongs(payload, 1)[0]);
        } else if (LATEST.equals(urn)) {
          merge(out, name, varLongs(payload, 2)[1]);
        }
      }
    }
    return out;
  }

  /** Beam's VarLongCoder: unsigned LEB128 of the two's complement. */
  static long[] varLongs(byte[] bytes, int n) {
    long[] out = new long[n];
    int at = 0;
    for (int i = 0; i < n; i++) {
      long value = 0;
      int shift = 0;
      while (true) {
        if (at >= bytes.length) {
          throw new IllegalArgumentException("truncated var-int payload");
        }
        byte b = bytes[at++];
        value |= (long) (b & 0x7F) << shift;
        shift += 7;
        if ((b & 0x80) == 0) {
          break;
        }
      }
      out[i] = value;
    }
    return out;
  }

  /**
   * The counters of one running Flink task (job vertex) from the answer of {@code GET
   * /jobs/:job/vertices/:vertex/subtasks/metrics?get=...&agg=sum,max}: ids are {@code
   * <operator>.org_in2stream_<package>_<Class>_<name>} (Flink's REST API replaces dots); the sum
   * over subtasks (max for the replay-size gauge), summed over the operators of the task.
   */
  public static Map<String, Double> parseRunning(JsonNode answer) {
    Map<String, Double> out = new TreeMap<>();
    for (JsonNode m : answer) {
      String id = m.path("id").asText();
      int at = id.lastIndexOf(OUR_PREFIX);
      if (at < 0) {
        continue;
      }
      String name = JobStatus.shortName(id.substring(at + OUR_PREFIX.length()));
      JsonNode value = REPLAY_RECORDS.equals(name) ? m.path("max") : m.path("sum");
      if (value.isNumber() && !Double.isNaN(value.asDouble())) {
        merge(out, name, value.asDouble());
      }
    }
    return out;
  }

  /** The ids of our metrics in the answer of {@code GET /jobs/:job/vertices/:vertex/subtasks/metrics}. */
  public static List<String> ourMetricIds(JsonNode list) {
    List<String> ids = new ArrayList<>();
    for (JsonNode m : list) {
      String id = m.path("id").asText();
      if (id.contains(OUR_PREFIX)) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** Adds {@code more} into {@code job} (max for the replay size, sum for counters). */
  public static void mergeInto(Map<String, Double> job, Map<String, Double> more) {
    more.forEach((k, v) -> merge(job, k, v));
  }

  private static void merge(Map<String, Double> out, String name, double value) {
    out.merge(name, value, REPLAY_RECORDS.equals(name) ? Math::max : Double::sum);
  }

  /** The table of a job that has run {@code elapsedSeconds} with these counters. */
  public static Progress of(Map<String, Double> c, double elapsedSeconds) {
    return of(c, elapsedSeconds, Map.of());
  }

  /**
   * The table, with the state of each stage's Flink tasks ({@link #stepStates}): a stage whose tasks
   * all ended is done whatever its yield suggests; one still running has no ETA once its count
   * reaches its estimate (its tasks are finishing: windows, groupings, final bundles).
   */
  public static Progress of(Map<String, Double> c, double elapsedSeconds,
      Map<String, String> states) {
    return of(c, Map.of(), 0, elapsedSeconds, states);
  }

  /**
   * The table from two samples of the counters {@code intervalSeconds} apart: each stage's rate is
   * its growth between them (recent speed, so a stage that started late is not judged by the time
   * it waited), or its average since the job started when there is no earlier sample.
   */
  public static Progress of(Map<String, Double> c, Map<String, Double> before,
      double intervalSeconds, double elapsedSeconds, Map<String, String> states) {
    Rates rates = new Rates(before, intervalSeconds, elapsedSeconds);
    String readCounter = c.containsKey("KafkaRangeSource.records_read")
        ? "KafkaRangeSource.records_read" : "ReadDocuments.records_read";
    double read = c.getOrDefault(readCounter, 0.0);
    double planned = c.getOrDefault(REPLAY_RECORDS, Double.NaN);
    if (planned <= 0) {
      planned = Double.NaN;
    }
    double decoded = c.getOrDefault("ReadDocuments.documents_decoded", 0.0);
    List<Stage> stages = new ArrayList<>();
    stages.add(stage("records read from Kafka", readCounter, read, read, planned,
        rates.of(readCounter, read), planned, Double.NaN,
        states.getOrDefault("ReadDocuments", "")));
    double readEta = stages.get(0).etaSeconds();
    stages.add(stage("documents decoded", "ReadDocuments.documents_decoded", decoded, read,
        planned, rates.of("ReadDocuments.documents_decoded", decoded), Double.NaN, readEta,
        states.getOrDefault("ReadDocuments", "")));
    double unique = Math.max(0, decoded - c.getOrDefault("Deduplicate.duplicates", 0.0)
        - c.getOrDefault("Deduplicate.near_duplicates", 0.0));
    double uniqueBefore = before.isEmpty() ? Double.NaN
        : Math.max(0, before.getOrDefault("ReadDocuments.documents_decoded", 0.0)
            - before.getOrDefault("Deduplicate.duplicates", 0.0)
            - before.getOrDefault("Deduplicate.near_duplicates", 0.0));
    stages.add(stage("documents after dedup", "decoded - Deduplicate.*duplicates", unique, read,
        planned, rates.between(uniqueBefore, unique), Double.NaN, readEta,
        states.getOrDefault("Deduplicate/", "")));
    if (c.containsKey("Decontaminate.documents_clean")) {
      double clean = c.get("Decontaminate.documents_clean");
      stages.add(stage("documents not contaminated", "Decontaminate.documents_clean", clean, read,
          planned, rates.of("Decontaminate.documents_clean", clean), Double.NaN, readEta,
          states.getOrDefault("Decontaminate", "")));
    }
    for (String[] s : new String[][] {
        {"documents segmented", "SegmentDocuments.documents_segmented", "SegmentDocuments"},
        {"QA requests", "SynthesizeQa.requests", "SynthesizeQa"},
        {"QA pairs generated", "SynthesizeQa.qa_pairs", "SynthesizeQa"},
        {"examples out", "CountOutputs.examples", "WriteExamples"},
        {"dead letters", "CountOutputs.dead_letters", "WriteExamples"}}) {
      double count = c.getOrDefault(s[1], 0.0);
      stages.add(stage(s[0], s[1], count, read, planned, rates.of(s[1], count), Double.NaN,
          readEta, states.getOrDefault(s[2], "")));
    }
    return new Progress(planned, read, elapsedSeconds, stages);
  }

  /** The steps whose tasks {@link #stepStates} reports. */
  static final List<String> STEPS = List.of("ReadDocuments", "Deduplicate/", "Decontaminate",
      "SegmentDocuments", "SynthesizeQa", "WriteExamples");

  /**
   * For each of {@link #STEPS}, from the job's vertices ({@code GET /jobs/:job}): {@code running}
   * when a Flink task whose name contains the step runs, else {@code done} when one has finished
   * (in a batch job the tasks of a side output wait, CREATED, until their input has ended), else
   * {@code waiting}; a step no task names is left out.
   */
  public static Map<String, String> stepStates(JsonNode job) {
    Map<String, String> out = new TreeMap<>();
    for (String step : STEPS) {
      int tasks = 0;
      int finished = 0;
      boolean running = false;
      for (JsonNode v : job.path("vertices")) {
        if (!v.path("name").asText().contains(step)) {
          continue;
        }
        tasks++;
        String status = v.path("status").asText();
        finished += "FINISHED".equals(status) ? 1 : 0;
        running |= "RUNNING".equals(status) || "INITIALIZING".equals(status)
            || "DEPLOYING".equals(status);
      }
      if (tasks > 0) {
        // Tasks that only carry a side output (dead letters) stay CREATED until their input ends.
        out.put(step, running ? "running" : finished > 0 ? "done" : "waiting");
      }
    }
    return out;
  }

  /**
   * One row; {@code knownTotal} is the stage's final count when known (the replay size for the
   * read stage), else it is estimated from the stage's yield per record read (unknown while the
   * stage has counted nothing: windowed stages start late). A stage after the read cannot finish
   * before the read does: its ETA is at least {@code readEta}.
   */
  private static Stage stage(String name, String counter, double count, double read,
      double planned, double rate, double knownTotal, double readEta, String state) {
    double perRead = read > 0 ? count / read : Double.NaN;
    double expected = !Double.isNaN(knownTotal) ? knownTotal
        : Double.isNaN(planned) || Double.isNaN(perRead) || count == 0 ? Double.NaN
        : perRead * planned;
    double eta = Double.NaN;
    if ("done".equals(state)) {
      eta = 0;
    } else if (!Double.isNaN(expected)) {
      double left = Math.max(0, expected - count);
      eta = left > 0 && rate > 0 ? left / rate : left == 0 && state.isEmpty() ? 0 : Double.NaN;
      if (!Double.isNaN(readEta) && !Double.isNaN(eta) && eta > 0) {
        eta = Math.max(eta, readEta);
      }
    }
    return new Stage(name, counter, count, perRead, rate, expected, eta, state);
  }

  /** Per-second rates: between two samples, else since the job started. */
  private record Rates(Map<String, Double> before, double interval, double elapsed) {
    double of(String counter, double now) {
      return between(before.isEmpty() ? Double.NaN : before.getOrDefault(counter, 0.0), now);
    }

    double between(double then, double now) {
      if (!Double.isNaN(then) && interval > 0) {
        return Math.max(0, now - then) / interval;
      }
      return elapsed > 0 ? now / elapsed : Double.NaN;
    }
  }

  /** Prints the table under a heading, indented by two spaces. */
  public static void print(PrintStream out, Progress p) {
    if (Double.isNaN(p.replayRecords())) {
      out.printf(Locale.ROOT, "  progress (documents through each stage; a stream: no end, so "
          + "no ETA), %s running:%n", JobStatus.duration((long) (p.elapsedSeconds() * 1000)));
    } else {
      out.printf(Locale.ROOT, "  replay progress: %,.0f of %,.0f records read (%.1f%%), input "
              + "lag %,.0f records, ETA %s%s (%s running)%n", p.read(), p.replayRecords(),
          100 * p.read() / p.replayRecords(), Math.max(0, p.replayRecords() - p.read()),
          p.etaIsAFloor() && !Double.isNaN(p.etaSeconds()) ? "at least " : "",
          eta(p.etaSeconds()), JobStatus.duration((long) (p.elapsedSeconds() * 1000)));
    }
    out.printf(Locale.ROOT, "  %-28s %-8s %12s %9s %9s %12s %9s%n", "stage", "tasks", "count",
        "per read", "per s", "expected", "ETA");
    for (Stage s : p.stages()) {
      out.printf(Locale.ROOT, "  %-28s %-8s %,12.0f %9s %9s %12s %9s%n", s.name(),
          s.state().isEmpty() ? "-" : s.state(), s.count(),
          Double.isNaN(s.perRecordRead()) ? "-"
              : String.format(Locale.ROOT, "%.3f", s.perRecordRead()),
          Double.isNaN(s.ratePerSecond()) ? "-"
              : String.format(Locale.ROOT, "%,.1f", s.ratePerSecond()),
          Double.isNaN(s.expectedTotal()) ? "-"
              : String.format(Locale.ROOT, "%,.0f", s.expectedTotal()),
          eta(s.etaSeconds()));
    }
  }

  static String eta(double seconds) {
    return Double.isNaN(seconds) ? "-" : seconds == 0 ? "done"
        : JobStatus.duration(Math.round(seconds * 1000));
  }
}
