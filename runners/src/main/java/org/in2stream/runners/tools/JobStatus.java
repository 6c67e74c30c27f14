package org.in2stream.runners.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a running job is doing, for {@code scripts/status.sh}: state, uptime, restarts and the last
 * checkpoint from Flink's REST API; records in/out per step from the job graph; and the job's own
 * Beam counters (examples by kind, dead letters by reason, LLM calls, cache hits, dedup drops, ...)
 * scraped live from the Prometheus reporters of the JobManager and TaskManagers (or, without a
 * reporter, from the REST API's operator metrics); and the progress of the documents through every
 * stage with rates and, for a replay, an ETA ({@link ReplayProgress}).
 *
 * <p>The Beam counter {@code Metrics.counter(CountOutputs.class, "examples")} of a step reaches
 * Flink as the operator metric {@code org.in2stream.pipeline.failure.CountOutputs.examples} and
 * Prometheus as {@code flink_taskmanager_job_task_operator_org_in2stream_pipeline_failure_
 * CountOutputs_examples{job_id=..., subtask_index=..., ...}}; {@link #parsePrometheus} sums the
 * series of one job over operators and subtasks and names them {@code CountOutputs.examples}.
 */
public final class JobStatus {
  static final String OPERATOR_PREFIX = "flink_taskmanager_job_task_operator_";
  static final String OUR_PREFIX = OPERATOR_PREFIX + "org_in2stream_";
  private static final Pattern SAMPLE = Pattern.compile(
      "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)(\\s+\\S+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
      .build();
  private final String rest;
  private long sampleMillis = 5_000;

  public JobStatus(String rest) {
    this.rest = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
  }

  /** The time between the two samples that give each stage its rate (default 5 s). */
  public JobStatus sampleMillis(long millis) {
    this.sampleMillis = millis;
    return this;
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv, Set.of("rest", "prometheus", "job", "sampleSeconds",
        "bootstrapServers", "consumerGroup", "topics", "kafkaProperties"));
    JobStatus status = new JobStatus(args.get("rest", "http://localhost:8081"))
        .sampleMillis(1000L * args.intValue("sampleSeconds", 5));
    int shown = status.print(System.out, args.get("prometheus", "auto"), args.get("job", ""));
    String kafka = args.get("bootstrapServers", "");
    if (!kafka.isBlank()) {
      String group = args.get("consumerGroup", "in2-stream");
      String topics = args.get("topics", "");
      try {
        KafkaLag.print(System.out, group, KafkaLag.of(kafka, group, topics.isBlank() ? List.of()
            : List.of(topics.split(",")), KafkaLag.clientProperties(args.get("kafkaProperties",
            ""))));
      } catch (Exception e) {
        System.out.println("  input lag by partition: cannot ask Kafka at " + kafka + ": "
            + (e.getCause() == null ? e : e.getCause()).getMessage());
      }
    }
    if (shown < 0) {
      System.exit(3);
    }
  }

  /**
   * The job's counters, {@code Class.name → value}, summed over every operator and subtask of the
   * job with id {@code jobId} (all jobs when null) in one Prometheus text exposition.
   */
  public static Map<String, Double> parsePrometheus(String text, String jobId) {
    Map<String, Double> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#") || !line.startsWith(OUR_PREFIX)) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line.strip());
      if (!m.matches()) {
        continue;
      }
      if (jobId != null && !jobId.equals(labels(m.group(3)).get("job_id"))) {
        continue;
      }
      double value;
      try {
        value = Double.parseDouble(m.group(4));
      } catch (NumberFormatException e) {
        continue;
      }
      if (Double.isNaN(value)) {
        continue;
      }
      out.merge(shortName(m.group(1).substring(OUR_PREFIX.length())), value, Double::sum);
    }
    return out;
  }

  /**
   * {@code pipeline_failure_CountOutputs_dead_letters_EMPTY → CountOutputs.dead_letters_EMPTY}:
   * the package path ends at the first part that starts with a capital letter (the class).
   */
  static String shortName(String name) {
    String[] parts = name.split("_");
    for (int i = 0; i < parts.length; i++) {
      if (!parts[i].isEmpty() && Character.isUpperCase(parts[i].charAt(0)) && i + 1 < parts.length) {
        return parts[i] + "." + String.join("_", java.util.Arrays.copyOfRange(parts, i + 1,
            parts.length));
      }
    }
    return name;
  }

  static Map<String, String> labels(String text) {
    Map<String, String> out = new TreeMap<>();
    if (text != null) {
      Matcher m = LABEL.matcher(text);
      while (m.find()) {
        out.put(m.group(1), m.group(2));
      }
    }
    return out;
  }

  /** Dead letters / (examples + dead letters) from the CountOutputs counters; NaN when none. */
  static double deadLetterShare(Map<String, Double> counters) {
    double examples = counters.getOrDefault("CountOutputs.examples", 0.0);
    double dead = counters.getOrDefault("CountOutputs.dead_letters", 0.0);
    return examples + dead == 0 ? Double.NaN : dead / (examples + dead);
  }

  /**
   * The Prometheus endpoints of the cluster: {@code auto} reads the reporter's port (or range) from
   * the JobManager's configuration and the hosts of the JobManager and TaskManagers, and keeps the
   * ports that answer; {@code off} none; else a comma-separated list of {@code host:port}.
   */
  public List<String> endpoints(String spec) throws IOException, InterruptedException {
    if ("off".equals(spec)) {
      return List.of();
    }
    if (!"auto".equals(spec)) {
      return List.of(spec.split(","));
    }
    String range = null;
    for (JsonNode kv : get("/jobmanager/config")) {
      if ("metrics.reporter.prom.port".equals(kv.path("key").asText())) {
        range = kv.path("value").asText();
      }
    }
    if (range == null) {
      return List.of();
    }
    int from = Integer.parseInt(range.split("-")[0].strip());
    int to = range.contains("-") ? Integer.parseInt(range.split("-")[1].strip()) : from;
    Set<String> hosts = new LinkedHashSet<>();
    hosts.add(URI.create(rest).getHost());
    for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
      Matcher m = Pattern.compile("@([^:/]+):").matcher(tm.path("path").asText());
      if (m.find()) {
        hosts.add(m.group(1));
      }
    }
    List<String> out = new ArrayList<>();
    for (String host : hosts) {
      for (int port = from; port <= to && port - from < 64; port++) {
        if (scrape(host + ":" + port) != null) {
          out.add(host + ":" + port);
        }
      }
    }
    return out;
  }

  /** The text of {@code http://endpoint/metrics}, or null when it does not answer. */
  String scrape(String endpoint) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://" + endpoint + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Counters of one job summed over every endpoint. */
  public Map<String, Double> counters(List<String> endpoints, String jobId) {
    Map<String, Double> out = new TreeMap<>();
    for (String e : endpoints) {
      String text = scrape(e);
      if (text != null) {
        parsePrometheus(text, jobId).forEach((k, v) -> out.merge(k, v, Double::sum));
      }
    }
    return out;
  }

  /** GET {@code path} of the REST API as JSON; an IOException unless HTTP 200. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(rest + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + rest + path + ": HTTP " + r.statusCode());
    }
    return JSON.readTree(r.body());
  }

  /**
   * Prints every running job (or the one named); returns how many, or -1 when the REST API does
   * not answer.
   */
  int print(PrintStream out, String prometheus, String onlyJob) throws InterruptedException {
    JsonNode overview;
    List<String> endpoints;
    try {
      overview = get("/jobs/overview");
      endpoints = endpoints(prometheus);
    } catch (IOException e) {
      out.println("status: the Flink REST API at " + rest + " does not answer ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
      return -1;
    }
    int shown = 0;
    for (JsonNode job : overview.path("jobs")) {
      String id = job.path("jid").asText();
      boolean running = "RUNNING".equals(job.path("state").asText())
          || "RESTARTING".equals(job.path("state").asText());
      if (onlyJob.isEmpty() ? !running : !onlyJob.equals(id)) {
        continue;
      }
      shown++;
      try {
        printJob(out, job, endpoints);
      } catch (IOException e) {
        out.println("  (job " + id + " could not be read: " + e.getMessage() + ")");
      }
    }
    if (shown == 0) {
      out.println("status: no running job at " + rest);
    }
    return shown;
  }

  private void printJob(PrintStream out, JsonNode job, List<String> endpoints)
      throws IOException, InterruptedException {
    String id = job.path("jid").asText();
    long now = System.currentTimeMillis();
    out.printf(Locale.ROOT, "job %s  %s  %s  up %s%n", id, job.path("name").asText(),
        job.path("state").asText(), duration(job.path("duration").asLong()));
    // The REST API serves task and job metrics from a cache that its first request only starts
    // filling: ask once, and once more after a moment if the answer is still empty.
    String restarts = restarts(id);
    JsonNode detail = get("/jobs/" + id);
    if (restarts == null || !hasRecordCounts(detail)) {
      Thread.sleep(2_500);
      restarts = restarts(id);
      detail = get("/jobs/" + id);
    }
    if (restarts == null) {
      restarts = "?";
    }
    JsonNode cp;
    try {
      cp = get("/jobs/" + id + "/checkpoints");
    } catch (IOException e) {
      cp = null; // a batch job (a replay) has no checkpoints: the REST API answers 404
    }
    if (cp == null) {
      out.printf(Locale.ROOT, "  restarts %s   checkpoints: none (a batch job)%n", restarts);
    }
    JsonNode last = cp == null ? null : cp.path("latest").path("completed");
    String checkpoint = last == null ? null : last.isMissingNode() || last.isNull() ? "none yet"
        : String.format(Locale.ROOT, "#%d %s ago, %s, took %d ms",
            last.path("id").asLong(), duration(now - last.path("latest_ack_timestamp").asLong()),
            bytes(last.path("state_size").asLong()), last.path("end_to_end_duration").asLong());
    if (cp != null) {
      out.printf(Locale.ROOT, "  restarts %s   checkpoints: %d done, %d failed; last %s%n",
          restarts, cp.path("counts").path("completed").asLong(),
          cp.path("counts").path("failed").asLong(), checkpoint);
    }

    out.printf(Locale.ROOT, "  %-60s %4s %12s %12s%n", "step (Flink task)", "par", "records in",
        "records out");
    for (JsonNode v : detail.path("vertices")) {
      String name = v.path("name").asText();
      if (name.length() > 60) {
        name = name.substring(0, 57) + "...";
      }
      out.printf(Locale.ROOT, "  %-60s %4d %,12d %,12d%n", name, v.path("parallelism").asInt(),
          v.path("metrics").path("read-records").asLong(),
          v.path("metrics").path("write-records").asLong());
    }

    // Two samples a few seconds apart give each stage its current rate.
    Map<String, Double> earlier = restCounters(id, detail);
    long sampledAt = System.nanoTime();
    Thread.sleep(sampleMillis);
    detail = get("/jobs/" + id);
    Map<String, Double> fromRest = restCounters(id, detail);
    double interval = (System.nanoTime() - sampledAt) / 1e9;
    ReplayProgress.print(out, ReplayProgress.of(fromRest, earlier, interval,
        job.path("duration").asLong() / 1000.0 + interval, ReplayProgress.stepStates(detail)));

    Map<String, Double> counters;
    String origin;
    if (endpoints.isEmpty()) {
      counters = fromRest;
      origin = "Flink REST API; no Prometheus reporter reachable";
    } else {
      counters = counters(endpoints, id);
      origin = endpoints.size() + " Prometheus endpoint(s)";
    }
    if (counters.isEmpty()) {
      out.println("  counters: none reported yet (" + origin + ")");
      return;
    }
    printGroup(out, "examples by kind", counters, "CountOutputs.examples");
    printGroup(out, "dead letters by reason", counters, "CountOutputs.dead_letters");
    double share = deadLetterShare(counters);
    if (!Double.isNaN(share)) {
      out.printf(Locale.ROOT, "  dead-letter share %.1f%%%n", 100 * share);
    }
    List<String> lag = counters.keySet().stream()
        .filter(k -> k.contains("backlog") || k.contains("lag")).toList();
    out.println("  input lag: " + (lag.isEmpty() ? "not reported by the source"
        : String.join(", ", lag.stream().map(k -> k + "=" + num(counters.get(k))).toList())));
    out.println("  counters (" + origin + "):");
    counters.forEach((k, v) -> {
      if (!k.startsWith("CountOutputs.")) {
        out.printf(Locale.ROOT, "    %-52s %,16.0f%n", k, v);
      }
    });
  }

  /**
   * The job's Beam counters from the REST API (no reporter needed): the accumulator of the tasks
   * that ended plus the operator metrics of the running tasks ({@link ReplayProgress}).
   */
  public Map<String, Double> restCounters(String jobId, JsonNode detail)
      throws IOException, InterruptedException {
    Map<String, Double> out = new TreeMap<>(ReplayProgress.parseAccumulators(
        get("/jobs/" + jobId + "/accumulators")));
    for (JsonNode v : detail.path("vertices")) {
      if (!"RUNNING".equals(v.path("status").asText())) {
        continue;
      }
      String base = "/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/subtasks/metrics";
      List<String> ids = ReplayProgress.ourMetricIds(get(base));
      for (int from = 0; from < ids.size(); from += 20) {
        String wanted = String.join(",", ids.subList(from, Math.min(ids.size(), from + 20)));
        ReplayProgress.mergeInto(out, ReplayProgress.parseRunning(get(base + "?agg=sum,max&get="
            + java.net.URLEncoder.encode(wanted, java.nio.charset.StandardCharsets.UTF_8))));
      }
    }
    return out;
  }

  private String restarts(String id) throws IOException, InterruptedException {
    for (JsonNode m : get("/jobs/" + id + "/metrics?get=numRestarts")) {
      return m.path("value").asText();
    }
    return null;
  }

  private static boolean hasRecordCounts(JsonNode detail) {
    for (JsonNode v : detail.path("vertices")) {
      if (v.path("metrics").path("write-records-complete").asBoolean(false)
          || v.path("metrics").path("write-records").asLong() > 0) {
        return true;
      }
    }
    return false;
  }

  private static void printGroup(PrintStream out, String title, Map<String, Double> counters,
      String total) {
    out.printf(Locale.ROOT, "  %-54s %,16.0f%n", title + " (" + total + ")",
        counters.getOrDefault(total, 0.0));
    counters.forEach((k, v) -> {
      if (k.startsWith(total + "_")) {
        out.printf(Locale.ROOT, "    %-52s %,16.0f%n", k.substring(total.length() + 1), v);
      }
    });
  }

  static String duration(long ms) {
    long s = Math.max(0, ms / 1000);
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return (s / 60) + "m" + (s % 60) + "s";
    }
    return (s / 3600) + "h" + (s % 3600 / 60) + "m";
  }

  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    if (b < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", b / 1024.0 / 1024);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }
}
