package org.in2stream.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.in2stream.runners.tools.Args;
import org.in2stream.runners.tools.JobStatus;

/**
 * The end-to-end rows on the standalone session cluster of {@code scripts/flink-local.sh} (a
 * JobManager and a TaskManager process): submits the job with the command after {@code --} (which
 * must print {@code Job <id> submitted}, as {@code scripts/submit.sh --detach} does), follows it
 * through Flink's REST API and writes one JSON object.
 *
 * <ul>
 *   <li>A bounded replay ({@code --streamSeconds} absent): wall seconds from the submit command to
 *       the job's end, CPU seconds of the cluster's processes over the same span (from {@code
 *       /proc}; the submitting client's CPU is not in it), examples and dead letters in the
 *       output folder, the TaskManager's heap sampled every second: the same fields as {@link
 *       EndToEndRun}, so the report treats it as one more end-to-end run.
 *   <li>A streaming job ({@code --streamSeconds=T}) fed at a fixed rate ({@code --inputRate},
 *       recorded only): once every task runs and {@code --warmupSeconds} have passed, the
 *       documents the source vertex emits and the cluster's CPU over the next {@code T} seconds,
 *       the checkpoints of the job so far (count, state size, duration) and the TaskManager's
 *       heap; then the job is cancelled.
 * </ul>
 *
 * <pre>ClusterRun --benchOut=FILE --benchLabel=NAME --rest=http://localhost:PORT --flinkDir=DIR
 *     [--benchRecords=N --output=DIR --maxContextTokens=T]
 *     [--streamSeconds=T --warmupSeconds=W --inputRate=R --windowSeconds=S] -- SUBMIT COMMAND...</pre>
 */
public final class ClusterRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JOB_ID = Pattern.compile("Job ([0-9a-f]{32}) submitted");
  /** Only for the cancel request; every GET goes through {@link JobStatus#get}. */
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String rest;
  private final JobStatus flink;
  private final Path flinkDir;
  private final long ticksPerSecond;
  private long heapPeak;
  private long heapMax;

  private ClusterRun(String rest, Path flinkDir) throws IOException, InterruptedException {
    this.rest = rest;
    this.flink = new JobStatus(rest);
    this.flinkDir = flinkDir;
    Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    this.ticksPerSecond = out.isEmpty() ? 100 : Long.parseLong(out);
  }

  public static void main(String[] argv) throws Exception {
    int dashes = List.of(argv).indexOf("--");
    if (dashes < 0 || dashes == argv.length - 1) {
      throw new IllegalArgumentException("need -- SUBMIT COMMAND... after the options");
    }
    Args a = new Args(Arrays.copyOf(argv, dashes), Set.of("benchOut", "benchLabel", "rest",
        "flinkDir", "benchRecords", "output", "maxContextTokens", "streamSeconds",
        "warmupSeconds", "inputRate", "windowSeconds"));
    List<String> submit = List.of(argv).subList(dashes + 1, argv.length);
    ClusterRun run = new ClusterRun(a.required("rest"), Path.of(a.required("flinkDir")));
    int streamSeconds = a.intValue("streamSeconds", 0);
    ObjectNode json = streamSeconds > 0
        ? run.stream(submit, streamSeconds, a.intValue("warmupSeconds", 30))
        : run.bounded(submit, Path.of(a.required("output")));
    json.put("label", a.get("benchLabel", "cluster"));
    json.put("records", Long.parseLong(a.get("benchRecords", "-1")));
    json.put("maxContextTokens", a.intValue("maxContextTokens", 0));
    json.put("cpuOf", "JobManager and TaskManager processes");
    if (streamSeconds > 0) {
      json.put("inputDocsPerSecond", Double.parseDouble(a.required("inputRate")));
      json.put("windowSeconds", a.intValue("windowSeconds", 0));
    }
    Files.writeString(Path.of(a.required("benchOut")), json + "\n");
    System.out.println(json);
    System.exit("FINISHED".equals(json.path("state").asText())
        || "CANCELED".equals(json.path("state").asText()) ? 0 : 1);
  }

  private ObjectNode bounded(List<String> submit, Path output) throws Exception {
    double cpu0 = clusterCpuSeconds();
    long t0 = System.nanoTime();
    String job = submit(submit);
    String state = waitForEnd(job);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = clusterCpuSeconds() - cpu0;
    ObjectNode json = JSON.createObjectNode();
    json.put("job", job);
    json.put("parallelism", parallelism(job));
    json.put("state", state);
    json.put("seconds", seconds);
    long[] examples = EndToEndRun.countRecords(output.resolve("examples"), "contextTokens");
    json.put("examples", examples[0]);
    json.put("contextTokens", examples[1]);
    json.put("deadLetters", EndToEndRun.countRecords(output.resolve("dead-letters"), null)[0]);
    json.put("processCpuSeconds", cpu);
    json.put("peakHeapBytes", heapPeak);
    json.put("maxHeapBytes", heapMax);
    return json;
  }

  private ObjectNode stream(List<String> submit, int seconds, int warmup) throws Exception {
    String job = submit(submit);
    waitRunning(job, 180);
    sleepSampling(warmup);
    double cpu0 = clusterCpuSeconds();
    long docs0 = sourceRecordsOut(job);
    long t0 = System.nanoTime();
    heapPeak = 0;
    sleepSampling(seconds);
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = clusterCpuSeconds() - cpu0;
    long docs = sourceRecordsOut(job) - docs0;
    JsonNode ck = get("/jobs/" + job + "/checkpoints");
    String state = get("/jobs/" + job).path("state").asText();
    ObjectNode json = JSON.createObjectNode();
    json.put("job", job);
    json.put("parallelism", parallelism(job));
    json.put("checkpointIntervalMillis",
        get("/jobs/" + job + "/checkpoints/config").path("interval").asLong());
    json.put("seconds", wall);
    json.put("documents", docs);
    json.put("processCpuSeconds", cpu);
    json.put("peakHeapBytes", heapPeak);
    json.put("maxHeapBytes", heapMax);
    json.put("warmupSeconds", warmup);
    json.put("checkpointsCompleted", ck.path("counts").path("completed").asLong());
    json.put("checkpointsFailed", ck.path("counts").path("failed").asLong());
    json.put("checkpointLastStateBytes",
        ck.path("latest").path("completed").path("state_size").asLong());
    json.put("checkpointMaxStateBytes", ck.path("summary").path("state_size").path("max").asLong());
    JsonNode d = ck.path("summary").path("end_to_end_duration");
    json.put("checkpointAvgMillis", d.path("avg").asDouble());
    json.put("checkpointP90Millis", d.path("p90").asDouble());
    json.put("checkpointMaxMillis", d.path("max").asDouble());
    http.send(HttpRequest.newBuilder(URI.create(rest + "/jobs/" + job + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.discarding());
    json.put("state", "RUNNING".equals(state) ? waitForEnd(job) : state);
    return json;
  }

  /** Runs the submit command; returns the job id it prints. */
  private String submit(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    Matcher m = JOB_ID.matcher(out);
    if (rc != 0 || !m.find()) {
      throw new IllegalStateException("submit exited " + rc + " without a job id:\n" + out);
    }
    return m.group(1);
  }

  private String waitForEnd(String job) throws Exception {
    while (true) {
      String state = get("/jobs/" + job).path("state").asText();
      if (state.equals("FINISHED") || state.equals("FAILED") || state.equals("CANCELED")) {
        return state;
      }
      sampleHeap();
      Thread.sleep(1000);
    }
  }

  private void waitRunning(String job, int timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      JsonNode j = get("/jobs/" + job);
      boolean all = j.path("vertices").size() > 0;
      for (JsonNode v : j.path("vertices")) {
        all &= "RUNNING".equals(v.path("status").asText());
      }
      if (all) {
        return;
      }
      if (List.of("FAILED", "CANCELED", "FINISHED").contains(j.path("state").asText())) {
        throw new IllegalStateException("job " + job + " ended: " + j.path("state").asText());
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException("job " + job + " not running after " + timeoutSeconds + " s");
  }

  private void sleepSampling(int seconds) throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      sampleHeap();
      Thread.sleep(1000);
    }
  }

  /** The largest parallelism of the job's vertices. */
  private int parallelism(String job) throws Exception {
    int p = 0;
    for (JsonNode v : get("/jobs/" + job).path("vertices")) {
      p = Math.max(p, v.path("parallelism").asInt());
    }
    return p;
  }

  /** Records emitted by the job's source vertex (the Kafka read and the steps chained to it). */
  private long sourceRecordsOut(String job) throws Exception {
    for (JsonNode v : get("/jobs/" + job).path("vertices")) {
      if (v.path("name").asText().startsWith("Source:")) {
        return v.path("metrics").path("write-records").asLong();
      }
    }
    throw new IllegalStateException("job " + job + " has no source vertex");
  }

  private void sampleHeap() throws Exception {
    for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
      JsonNode m = get("/taskmanagers/" + tm.path("id").asText()
          + "/metrics?get=Status.JVM.Memory.Heap.Used,Status.JVM.Memory.Heap.Max");
      for (JsonNode x : m) {
        long v = x.path("value").asLong();
        if (x.path("id").asText().endsWith("Heap.Used")) {
          heapPeak = Math.max(heapPeak, v);
        } else {
          heapMax = Math.max(heapMax, v);
        }
      }
    }
  }

  /** User + system CPU seconds of the processes whose pid files are under {@code flinkDir/pids}. */
  private double clusterCpuSeconds() throws IOException {
    long ticks = 0;
    try (Stream<Path> files = Files.list(flinkDir.resolve("pids"))) {
      for (Path f : files.toList()) {
        String pid = Files.readString(f).trim();
        Path stat = Path.of("/proc", pid, "stat");
        if (!pid.matches("[0-9]+") || !Files.exists(stat)) {
          continue;
        }
        String s = Files.readString(stat);
        // fields after the command name (which may hold spaces) : state is field 3, utime 14
        String[] f2 = s.substring(s.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f2[11]) + Long.parseLong(f2[12]);
      }
    }
    return (double) ticks / ticksPerSecond;
  }

  private JsonNode get(String path) throws Exception {
    return flink.get(path);
  }
}
