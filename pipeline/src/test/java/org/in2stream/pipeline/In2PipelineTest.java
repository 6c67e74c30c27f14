package org.in2stream.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
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
import org.in2stream.pipeline.check.ExampleChecks;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.synth.OfflineQaGenerator;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.RawRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The whole pipeline on the direct runner, with raw records injected in place of Kafka. */
@ExtendWith(TestPipelineExtension.class)
class In2PipelineTest {
  static PipelineConfig config(int maxContext) {
    return new PipelineConfig("unused:9092", "docs", 1, "g", "/unused", 1, 42,
        "tiktoken:cl100k_base", 128, 512, 2048, maxContext, 1, 0.5, 0.1, 20_000,
        PipelineConfig.Generator.OFFLINE, 16, null);
  }

  static RawRecord raw(long offset, byte[] value) {
    return RawRecord.newBuilder().setTopic("docs").setPartition(0).setOffset(offset)
        .setTimestamp(1_000 + offset).setValue(value == null ? null : ByteBuffer.wrap(value))
        .build();
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
        Create.of(input).withCoder(AvroCoder.of(RawRecord.class)),
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
        Create.of(input).withCoder(AvroCoder.of(RawRecord.class)),
        OfflineQaGenerator.factory(42));
    PAssert.that(out.examples()).satisfies(it -> {
      Set<LongContextExample> all = new HashSet<>();
      it.forEach(all::add);
      SEEN.put(name, all);
      return null;
    });
  }
}
