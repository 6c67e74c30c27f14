package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.failure.FailureIds;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.OutputReport;
import org.in2stream.runners.tools.ProduceDocs;
import org.in2stream.schema.AnswerSegment;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parallelism independence on the Flink runner: the same offset range replayed at parallelism 1 and
 * at parallelism 2 gives the same examples (canonical record hashes, {@link
 * StreamReplayIT#canonicalHash}) and the same dead letters, with windows spread over a filler horizon
 * of three. The corpus has two documents that share a paragraph: each gets its own example about it,
 * with its own id, in the Avro files and in the exactly-once Kafka topic, which hold the same ids.
 * A third run at parallelism 2 without Flink's object reuse (which In2Main turns on) gives the same
 * records too.
 */
class ParallelismIT {
  @RegisterExtension
  static final EmbeddedKafka.PerClass kafka = new EmbeddedKafka.PerClass();

  /** Event times over four one-minute windows in the past, 900 ms apart. */
  private static final long T0 = (System.currentTimeMillis() / 60_000 - 30) * 60_000;
  private static final String SHARED = TestTexts.paragraph(new SplittableRandom(4242), 8);

  private static long produce(Path corpus) throws Exception {
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
    for (String id : List.of("pair-a", "pair-b")) {
      String own = TestTexts.paragraph(new SplittableRandom(id.hashCode()), 8);
      String text = (own + "\n" + SHARED).replace("\n", "\\n");
      lines.add(("{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}")
          .getBytes(StandardCharsets.UTF_8));
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < lines.size(); i++) {
        producer.send(new ProducerRecord<>("docs", i % 2, T0 + 900L * i, null, lines.get(i)))
            .get();
      }
    }
    return lines.size();
  }

  private static PipelineResult.State run(Path out, int parallelism, String topic,
      String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=docs",
        "--windowSeconds=60",
        "--fillerHorizonWindows=3",
        "--maxDelaySeconds=5",
        "--minContextTokens=2048",
        "--maxContextTokens=8192",
        "--questionsPerDocument=2",
        "--mixture=1:0:0",
        "--numShards=2",
        "--output=" + out,
        "--outputTopic=" + topic,
        "--eosShards=" + parallelism,
        "--parallelism=" + parallelism));
    args.addAll(List.of(extra));
    In2Main.Prepared o = In2Main.prepare(args.toArray(String[]::new));
    return In2Main.run(o.options(), o.config()).waitUntilFinish();
  }

  @Test
  void parallelismOneAndTwoGiveTheSameRecordsAndSharedTextGetsTwoIds(@TempDir Path tmp)
      throws Exception {
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.generate(corpus, 200, 31, false);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "docs", 2);
    long sent = produce(corpus);

    assertEquals(PipelineResult.State.DONE, run(tmp.resolve("p1"), 1, "examples-p1"));
    assertEquals(PipelineResult.State.DONE, run(tmp.resolve("p2"), 2, "examples-p2"));
    OutputReport.Report one = OutputReport.read(tmp.resolve("p1"));
    OutputReport.Report two = OutputReport.read(tmp.resolve("p2"));
    assertEquals(List.of(), one.violations());
    assertEquals(List.of(), two.violations());
    assertEquals(sent, two.inputsAccounted().size(), "every record an example or a dead letter");
    assertTrue(one.examples().size() >= sent, "examples: " + one.examples().size());

    String hash1 = StreamReplayIT.canonicalHash(one.examples());
    String hash2 = StreamReplayIT.canonicalHash(two.examples());
    System.out.println("parallelism 1: " + hash1 + ", parallelism 2: " + hash2 + " over "
        + one.examples().size() + " examples, " + one.failures().size() + " dead letters");
    assertEquals(hash1, hash2, "canonical record hashes at parallelism 1 and 2");
    assertEquals(failureIds(one.failures()), failureIds(two.failures()), "the same dead letters");

    // In2Main turns Flink's object reuse on; without it (a copy of every element between chained
    // operators) the records are the same.
    assertEquals(PipelineResult.State.DONE, run(tmp.resolve("p2-copies"), 2, "examples-p2c",
        "--objectReuse=false"));
    OutputReport.Report copies = OutputReport.read(tmp.resolve("p2-copies"));
    assertEquals(hash2, StreamReplayIT.canonicalHash(copies.examples()),
        "canonical record hashes with and without object reuse");
    assertEquals(failureIds(two.failures()), failureIds(copies.failures()));

    // The shared paragraph: one example per document, different ids, in files and in Kafka.
    Map<String, LongContextExample> aboutShared = new TreeMap<>();
    for (LongContextExample e : two.examples()) {
      for (AnswerSegment a : e.getAnswerSegments()) {
        if (e.getContext().substring(a.getCharStart(), a.getCharEnd()).equals(SHARED)) {
          aboutShared.put(e.getSourceDocId(), e);
        }
      }
    }
    assertEquals(Set.of("pair-a", "pair-b"), aboutShared.keySet());
    assertEquals(aboutShared.get("pair-a").getRequestKey(),
        aboutShared.get("pair-b").getRequestKey());
    assertNotEquals(aboutShared.get("pair-a").getId(), aboutShared.get("pair-b").getId());
    for (String topic : List.of("examples-p1", "examples-p2")) {
      List<String> keys = EmbeddedKafka.committedKeys(kafka.bootstrapServers(), topic);
      Set<String> fileIds = new TreeSet<>();
      two.examples().forEach(e -> fileIds.add(e.getId()));
      assertEquals(fileIds, new TreeSet<>(keys), topic + " holds the ids of the files");
      assertEquals(keys.size(), new TreeSet<>(keys).size(), "no id twice in " + topic);
      assertTrue(keys.contains(aboutShared.get("pair-a").getId())
          && keys.contains(aboutShared.get("pair-b").getId()));
    }
  }

  private static Set<String> failureIds(List<Failure> failures) {
    Set<String> ids = new TreeSet<>();
    failures.forEach(f -> ids.add(FailureIds.of(f)));
    return ids;
  }

}
