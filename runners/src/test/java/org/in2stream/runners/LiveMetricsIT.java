package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.JobStatus;
import org.in2stream.runners.tools.ProduceDocs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live metrics of a stream job on a real standalone Flink cluster (scripts/flink-local.sh, with the
 * Prometheus reporter it configures): while documents trickle into Kafka, the job's Beam counters
 * (documents read, examples by kind, dead letters by reason) appear on the TaskManager's Prometheus
 * endpoint and grow between two scrapes, and scripts/status.sh prints them with the job's state
 * and checkpoints. Ports 38081/36123 and reporter range 39250-39259, apart from the other cluster
 * tests.
 */
class LiveMetricsIT {
  private static final String REST_PORT = "38081";
  private static final String REST = "http://localhost:" + REST_PORT;
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
    cluster("start");
  }

  @AfterAll
  static void stop() throws Exception {
    cluster("stop");
    if (kafka != null) {
      kafka.close();
    }
  }

  private static void cluster(String command) throws IOException, InterruptedException {
    LocalFlinkCluster.script(command, Map.of("FLINK_REST_PORT", REST_PORT, "FLINK_RPC_PORT", "36123",
        "FLINK_PROMETHEUS_PORTS", "39250-39259"));
  }

  private static String slimJar() throws IOException {
    try (Stream<Path> s = Files.list(ROOT.resolve("runners/target"))) {
      return s.map(Path::toString).filter(n -> n.endsWith("-flink-job.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no *-flink-job.jar: run mvn package"));
    }
  }

  @Test
  void countersOfARunningStreamJobAppearAndGrowOnThePrometheusEndpoint(@TempDir Path tmp)
      throws Exception {
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.generate(corpus, 8000, 31, false);
    List<byte[]> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(corpus)) {
      for (Path f : files.sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          if (!line.isBlank()) {
            lines.add(line.getBytes(StandardCharsets.UTF_8));
          }
        }
      }
    }
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "live-docs", 2);

    In2Main.Prepared job = In2Main.prepare(
        "--flinkMaster=localhost:" + REST_PORT,
        "--filesToStage=" + slimJar(),
        "--mode=stream",
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=live-docs",
        "--consumerGroup=live-metrics-it",
        "--output=" + tmp.resolve("out").toAbsolutePath(),
        "--windowSeconds=10",
        "--maxDelaySeconds=2",
        "--checkpointingInterval=5000",
        "--minContextTokens=2048",
        "--maxContextTokens=8192",
        "--numShards=1",
        "--parallelism=2");
    In2Main.run(job.options(), job.config());
    String jobId = runningJob();

    // Documents stamped "now" as they are sent, ~20 a second, so windows keep closing.
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicLong sent = new AtomicLong();
    Thread producer = new Thread(() -> produce(lines, producing, sent), "live-producer");
    producer.start();
    JobStatus status = new JobStatus(REST);
    try {
      List<String> endpoints = status.endpoints("auto");
      assertTrue(endpoints.size() >= 2, "JobManager and TaskManager endpoints: " + endpoints);

      // The per-kind and per-reason series are registered when first counted, and the reporter can
      // serve them a scrape after the totals: wait for them too, then assert on that scrape.
      Map<String, Double> first = waitFor(status, endpoints, jobId, Map.of(), 300,
          List.of("CountOutputs.examples_", "CountOutputs.dead_letters_"),
          "CountOutputs.dead_letters");
      System.out.println("first scrape after " + sent.get() + " documents sent: " + first);
      assertTrue(first.getOrDefault("CountOutputs.dead_letters", 0.0) > 0, first.toString());
      assertTrue(first.keySet().stream().anyMatch(k -> k.startsWith("CountOutputs.examples_")),
          "examples by kind: " + first);
      assertTrue(first.keySet().stream().anyMatch(k -> k.startsWith("CountOutputs.dead_letters_")),
          "dead letters by reason: " + first);

      Map<String, Double> second = waitFor(status, endpoints, jobId, first, 180, List.of());
      System.out.println("second scrape after " + sent.get() + " documents sent: " + second);

      ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("scripts/status.sh").toString(),
          "--rest=" + REST).redirectErrorStream(true);
      Process p = pb.start();
      String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(2, TimeUnit.MINUTES));
      System.out.println(printed);
      assertEquals(0, p.exitValue(), printed);
      assertTrue(printed.contains("job " + jobId) && printed.contains("RUNNING"), printed);
      assertTrue(printed.contains("examples by kind (CountOutputs.examples)"), printed);
      assertTrue(printed.contains("dead letters by reason"), printed);
      assertTrue(printed.contains("dead-letter share"), printed);
      assertTrue(printed.contains("ReadDocuments.records_read"), printed);
      // Progress through every stage, from the REST API alone (a stream: counts and rates, no ETA).
      assertTrue(printed.contains("progress (documents through each stage; a stream"), printed);
      for (String stage : List.of("records read from Kafka", "documents decoded",
          "documents segmented", "QA pairs generated", "examples out", "dead letters")) {
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("\\n  " + stage
            + " +running +([0-9,]+) ").matcher(printed);
        assertTrue(row.find(), stage + " row: " + printed);
        assertTrue(Long.parseLong(row.group(1).replace(",", "")) > 0, stage + " counted: " + printed);
      }
    } finally {
      producing.set(false);
      producer.join(30_000);
      HTTP.send(HttpRequest.newBuilder(URI.create(REST + "/jobs/" + jobId + "?mode=cancel"))
          .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  /**
   * Scrapes until documents read, examples and the {@code alsoGrowing} counters are all above
   * {@code before} (and present) and a series starts with each of {@code prefixes}, or fails
   * after {@code seconds}.
   */
  private static Map<String, Double> waitFor(JobStatus status, List<String> endpoints,
      String jobId, Map<String, Double> before, int seconds, List<String> prefixes,
      String... alsoGrowing) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Map<String, Double> now = Map.of();
    while (System.nanoTime() < deadline) {
      now = status.counters(endpoints, jobId);
      boolean all = grew(now, before, "ReadDocuments.records_read")
          && grew(now, before, "CountOutputs.examples");
      for (String name : alsoGrowing) {
        all &= grew(now, before, name);
      }
      for (String prefix : prefixes) {
        all &= now.keySet().stream().anyMatch(k -> k.startsWith(prefix));
      }
      if (all) {
        return now;
      }
      Thread.sleep(2_000);
    }
    throw new AssertionError("counters did not grow within " + seconds + " s: before " + before
        + ", now " + now);
  }

  private static boolean grew(Map<String, Double> now, Map<String, Double> before, String name) {
    return now.getOrDefault(name, 0.0) > before.getOrDefault(name, 0.0);
  }

  private static void produce(List<byte[]> lines, AtomicBoolean producing, AtomicLong sent) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < lines.size() && producing.get(); i++) {
        // every 25th record is one the pipeline must dead-letter: broken JSON or invalid UTF-8
        byte[] value = i % 25 != 24 ? lines.get(i) : (i / 25) % 2 == 0
            ? "{\"text\": \"unterminated".getBytes(StandardCharsets.UTF_8)
            : new byte[] {'B', 'a', 'd', ' ', (byte) 0xC3, (byte) 0x28, ' ', 'b', 'y', 't', 'e'};
        producer.send(new ProducerRecord<>("live-docs", i % 2, null, value));
        sent.incrementAndGet();
        if (i % 10 == 9) {
          producer.flush();
          Thread.sleep(500);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The id of the one running job, waiting up to 2 minutes for the submission to land. */
  private static String runningJob() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(REST
          + "/jobs/overview")).build(), HttpResponse.BodyHandlers.ofString());
      for (JsonNode j : JSON.readTree(r.body()).path("jobs")) {
        if ("RUNNING".equals(j.path("state").asText())) {
          return j.path("jid").asText();
        }
      }
      Thread.sleep(1_000);
    }
    throw new AssertionError("no running job on the cluster after 2 minutes");
  }
}
