package org.in2stream.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.TimestampedValue;
import org.in2stream.pipeline.assemble.Placement;
import org.joda.time.Instant;
import org.in2stream.pipeline.check.ExampleChecks;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.synth.OfflineQaGenerator;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.RawRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on the direct runner, with raw records injected in place of Kafka. */
@ExtendWith(TestPipelineExtension.class)
class In2PipelineTest {
  static PipelineConfig config(int maxContext) {
    return config(maxContext, Placement.SHUFFLE, null);
  }

  /** Half of the question slots multi-segment, 10% short-context. */
  static PipelineConfig config(int maxContext, Placement placement, String decontaminate) {
    List<String> args = new ArrayList<>(List.of("--minContextTokens=2048",
        "--maxContextTokens=" + maxContext, "--mixture=0.45:0.45:0.1",
        "--placement=" + placement.name().toLowerCase(java.util.Locale.ROOT),
        "--maxInFlight=16"));
    if (decontaminate != null) {
      args.add("--decontaminate=" + decontaminate);
    }
    return TestConfigs.fromArgs(args.toArray(String[]::new));
  }

  static RawRecord raw(long offset, byte[] value) {
    return RawRecord.newBuilder().setTopic("docs").setPartition(0).setOffset(offset)
        .setTimestamp(1_700_000_000_000L + offset).setValue(value == null ? null : ByteBuffer.wrap(value))
        .build();
  }

  /** Raw records with their Kafka timestamps as event times, as the Kafka sources emit them. */
  static Create.TimestampedValues<RawRecord> timestamped(List<RawRecord> records) {
    List<TimestampedValue<RawRecord>> values = new ArrayList<>();
    for (RawRecord r : records) {
      values.add(TimestampedValue.of(r, new Instant(r.getTimestamp())));
    }
    return Create.timestamped(values).withCoder(AvroCoder.of(RawRecord.class));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyInputEndsAsExamplesOrADeadLetter(TestPipeline pipeline) {
    List<RawRecord> input = new ArrayList<>();
    int good = 40;
    for (int i = 0; i < good; i++) {
      input.add(raw(i, utf8("{\"id\":\"doc-" + i + "\",\"text\":\""
          + TestTexts.document(i, 7).replace("\n", "\\n") + "\"}")));
    }
    input.add(raw(100, null)); // tombstone
    input.add(raw(101, new byte[] {'b', 'a', 'd', (byte) 0xFF}));
    input.add(raw(102, utf8("   \n ")));
    input.add(raw(103, utf8("{\"id\": \"x\", \"text\": ")));
    input.add(raw(104, utf8("{\"id\": \"y\"}")));
    input.add(raw(105, utf8("Too short to make one segment.")));

    In2Pipeline.Outputs out = In2Pipeline.build(pipeline, config(8192),
        timestamped(input),
        OfflineQaGenerator.factory(42));

    PAssert.that(out.failures()).satisfies(failures -> {
      Map<Long, String> byOffset = new TreeMap<>();
      for (Failure f : failures) {
        byOffset.put(f.getSource().getOffset(), f.getStage() + ":" + f.getReason());
      }
      assertEquals(Map.of(
          100L, "ReadDocuments:NULL_VALUE",
          101L, "ReadDocuments:INVALID_UTF8",
          102L, "ReadDocuments:EMPTY",
          103L, "ReadDocuments:INVALID_JSON",
          104L, "ReadDocuments:MISSING_TEXT",
          105L, "SegmentDocuments:TOO_SHORT"), byOffset);
      return null;
    });
    PAssert.that(out.examples()).satisfies(examples -> {
      Set<String> docs = new HashSet<>();
      Set<String> ids = new HashSet<>();
      for (LongContextExample e : examples) {
        assertEquals(List.of(), ExampleChecks.violations(e, TestTexts.tokenizer()), e.getId());
        assertTrue(ids.add(e.getId()), "unique example ids");
        docs.add(e.getSourceDocId());
      }
      assertEquals(good, docs.size(), "every good document produced examples");
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  /** Outputs collected by PAssert callbacks; the direct runner runs them in this JVM. */
  private static final Map<String, Set<LongContextExample>> SEEN = new ConcurrentHashMap<>();

  @Test
  void sameInputInAnotherOrderGivesTheSameExamples(TestPipeline pipeline) {
    List<RawRecord> input = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      input.add(raw(i, utf8(TestTexts.document(1_000 + i, 7))));
    }
    List<RawRecord> reversed = new ArrayList<>(input);
    Collections.reverse(reversed);
    collect("forward", pipeline, input);
    pipeline.run().waitUntilFinish();
    Pipeline second = Pipeline.create();
    collect("reversed", second, reversed);
    second.run().waitUntilFinish();

    assertTrue(SEEN.get("forward").size() >= 30);
    assertEquals(SEEN.get("forward"), SEEN.get("reversed"));
  }

  private static void collect(String name, Pipeline p, List<RawRecord> input) {
    In2Pipeline.Outputs out = In2Pipeline.build(p, config(8192),
        timestamped(input),
        OfflineQaGenerator.factory(42));
    PAssert.that(out.examples()).satisfies(it -> {
      Set<LongContextExample> all = new HashSet<>();
      it.forEach(all::add);
      SEEN.put(name, all);
      return null;
    });
  }

  @Test
  void contaminatedDocumentsAreDeadLettersAndNeverFillersWithStratifiedPlacement(
      TestPipeline pipeline, @TempDir Path tmp) throws Exception {
    List<RawRecord> input = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      texts.add(TestTexts.document(3_000 + i, 7));
      input.add(raw(i, utf8("{\"id\":\"doc-" + i + "\",\"text\":\""
          + texts.get(i).replace("\n", "\\n") + "\"}")));
    }
    // Evaluation texts: a passage quoted from doc-4 and one from doc-11, and an unrelated line.
    Path eval = tmp.resolve("eval.jsonl");
    String[] words4 = texts.get(4).split(" ");
    String[] words11 = texts.get(11).split(" ");
    Files.writeString(eval, String.join(" ", List.of(words4).subList(20, 35)) + "\n"
        + "{\"text\": \"" + String.join(" ", List.of(words11).subList(3, 16)) + "\"}\n"
        + "A line about something else entirely, with more than ten words in it.\n");

    In2Pipeline.Outputs out = In2Pipeline.build(pipeline,
        config(8192, Placement.STRATIFIED, eval.toString()),
        timestamped(input),
        OfflineQaGenerator.factory(42));
    PAssert.that(out.failures()).satisfies(failures -> {
      Map<String, String> byDoc = new TreeMap<>();
      failures.forEach(f -> byDoc.put(f.getDocId(), f.getStage() + ":" + f.getReason()));
      assertEquals(Map.of("doc-11", "Decontaminate:CONTAMINATED",
          "doc-4", "Decontaminate:CONTAMINATED"), byDoc);
      return null;
    });
    PAssert.that(out.examples()).satisfies(examples -> {
      int n = 0;
      for (LongContextExample e : examples) {
        n++;
        assertEquals(List.of(), ExampleChecks.violations(e, TestTexts.tokenizer()), e.getId());
        for (String used : List.of("doc-4", "doc-11")) {
          assertTrue(!e.getSourceDocId().equals(used) && !e.getFillerDocIds().contains(used),
              used + " is used by " + e.getId());
        }
        if (e.getKind() != org.in2stream.schema.Kind.SHORT_CONTEXT) {
          assertEquals("stratified", e.getPlacement());
          e.getAnswerSegments().forEach(a -> assertTrue(a.getDepthBin() != null));
        }
      }
      assertTrue(n >= 28, "examples from the 28 clean documents: " + n);
      return null;
    });
    org.apache.beam.sdk.PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    long contaminated = result.metrics().queryMetrics(org.apache.beam.sdk.metrics.MetricsFilter
        .builder().addNameFilter(org.apache.beam.sdk.metrics.MetricNameFilter.named(
            org.in2stream.pipeline.decontaminate.Decontaminate.class, "documents_contaminated"))
        .build()).getCounters().iterator().next().getAttempted();
    assertEquals(2, contaminated, "the count is reported as a counter too");
  }
}
