package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.OutputReport;
import org.in2stream.runners.tools.ProduceDocs;
import org.in2stream.schema.LongContextExample;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Determinism of the Flink job: the same offset range replayed twice gives byte-identical Avro files,
 * and a streaming run (event-time windows closed by the watermark) writes byte-identical files to
 * those of a replay of the same topic, while its exactly-once Kafka output (read {@code
 * read_committed}) holds each of those examples exactly once. Faults (TaskManager kills, restores,
 * broker restarts) are scripts/chaos.sh's part.
 */
class StreamReplayIT {
  /** Documents are stamped across three one-minute windows in the past, 400 ms apart. */
  private static final long T0 = (System.currentTimeMillis() / 60_000 - 30) * 60_000;
  private static final int DOCS = 360;
  private static EmbeddedKafka kafka;
  private static long sent;

  @BeforeAll
  static void startKafkaAndProduce(@TempDir Path tmp) throws Exception {
    kafka = EmbeddedKafka.start();
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.generate(corpus, DOCS, 21, false);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "docs", 2);
    sent = produceWithTimestamps(corpus);
  }

  @AfterAll
  static void stopKafka() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  /** Sends the corpus lines with explicit event times, alternating partitions. */
  private static long produceWithTimestamps(Path corpus) throws Exception {
    List<byte[]> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(corpus)) {
      for (Path f : files.sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          if (!line.isBlank()) {
            lines.add(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
          }
        }
      }
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < lines.size(); i++) {
        producer.send(new ProducerRecord<>("docs", i % 2, T0 + 400L * i, null, lines.get(i)))
            .get();
      }
    }
    return lines.size();
  }

  /** Parsed, checked and preflighted, as In2Main.main does it (creates missing output topics). */
  private static In2Main.Prepared options(String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=docs",
        "--windowSeconds=60",
        "--maxDelaySeconds=5",
        "--minContextTokens=2048",
        "--maxContextTokens=8192",
        "--numShards=2",
        "--parallelism=2"));
    args.addAll(List.of(extra));
    return In2Main.prepare(args.toArray(String[]::new));
  }

  private static void runReplay(Path out) {
    In2Main.Prepared o = options("--output=" + out);
    PipelineResult r = In2Main.run(o.options(), o.config());
    assertEquals(PipelineResult.State.DONE, r.waitUntilFinish());
  }

  @Test
  void replayingTheSameRangeTwiceGivesByteIdenticalFiles(@TempDir Path tmp) throws Exception {
    runReplay(tmp.resolve("a"));
    runReplay(tmp.resolve("b"));

    Map<String, byte[]> a = files(tmp.resolve("a"));
    Map<String, byte[]> b = files(tmp.resolve("b"));
    assertEquals(a.keySet(), b.keySet(), "same file names");
    assertTrue(a.keySet().stream().filter(n -> n.startsWith("examples/")).count() >= 4,
        "several windows and shards: " + a.keySet());
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), name + " differs between the two replays");
    }
    OutputReport.Report report = OutputReport.read(tmp.resolve("a"));
    OutputReport.Report again = OutputReport.read(tmp.resolve("b"));
    assertEquals(List.of(), report.violations());
    assertEquals(sent, report.inputsAccounted().size());
    String hashA = canonicalHash(report.examples());
    String hashB = canonicalHash(again.examples());
    System.out.println("replay hashes (SHA-256 of the records sorted by id): first " + hashA
        + ", second " + hashB + " over " + report.examples().size() + " examples in " + a.size()
        + " files");
    assertEquals(hashA, hashB, "canonical record hashes of the two replays");
  }

  @Test
  void aStreamingRunWritesTheSameFilesAsAReplay(@TempDir Path tmp) throws Exception {
    runReplay(tmp.resolve("replay"));
    Map<String, byte[]> replayed = files(tmp.resolve("replay"));

    In2Main.Prepared o = options("--mode=stream", "--output=" + tmp.resolve("stream"),
        "--attachedMode=false", "--checkpointingInterval=2000", "--consumerGroup=stream-it",
        "--outputTopic=stream-examples", "--deadLetterTopic=stream-dead");
    PipelineResult job = In2Main.run(o.options(), o.config());
    Map<String, byte[]> streamed;
    List<String> topicIds = List.of();
    Set<String> fileIds = examples(tmp.resolve("replay"));
    try {
      // Windows close as the watermark passes them; wait until every window's files are there.
      long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
      do {
        Thread.sleep(1_000);
        streamed = Files.isDirectory(tmp.resolve("stream")) ? files(tmp.resolve("stream"))
            : Map.of();
      } while (!streamed.keySet().containsAll(replayed.keySet()) && System.nanoTime() < deadline);
      // The exactly-once writer commits after the checkpoint that holds its input.
      do {
        topicIds = EmbeddedKafka.committedKeys(kafka.bootstrapServers(), "stream-examples");
        if (new HashSet<>(topicIds).containsAll(fileIds)) {
          break;
        }
        Thread.sleep(1_000);
      } while (System.nanoTime() < deadline);
    } finally {
      job.cancel();
    }
    assertEquals(replayed.keySet(), streamed.keySet(), "the same windows and shards");
    for (String name : replayed.keySet()) {
      assertArrayEquals(replayed.get(name), streamed.get(name),
          name + " differs between the stream and the replay");
    }
    assertEquals(List.of(), OutputReport.read(tmp.resolve("stream")).violations());
    assertEquals(fileIds, new TreeSet<>(topicIds), "the topic holds the examples of the files");
    assertEquals(topicIds.size(), new HashSet<>(topicIds).size(), "no example twice in the topic");
    System.out.println("exactly-once topic: " + topicIds.size() + " examples read_committed");
  }

  private static Set<String> examples(Path out) throws Exception {
    Set<String> ids = new TreeSet<>();
    for (LongContextExample e : OutputReport.read(out).examples()) {
      ids.add(e.getId());
    }
    return ids;
  }


  /** SHA-256 over the records sorted by id. */
  static String canonicalHash(List<LongContextExample> examples) {
    TreeMap<String, String> byId = new TreeMap<>();
    for (LongContextExample e : examples) {
      byId.put(e.getId(), e.toString());
    }
    return Hashing.sha256Hex(String.join("\n", byId.values()));
  }

  private static Map<String, byte[]> files(Path root) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(f).toString(), Files.readAllBytes(f));
      }
    }
    return out;
  }
}
