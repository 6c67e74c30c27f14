package org.in2stream.pipeline.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.failure.FailureIds;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Example ids carry the source document, its Kafka record and the QA slot; a collision that still reaches the sinks
 * is a dead letter per distinct copy, never one copy kept by chance.
 */
@ExtendWith(TestPipelineExtension.class)
class CheckExampleIdsTest {
  private static QaPair qa(String docId, String requestKey, List<Segment> segments,
      List<Integer> needed) {
    return QaPair.newBuilder().setRequestKey(requestKey).setKind(Kind.FINE_GRAINED)
        .setDocId(docId).setQuestion("q?").setAnswer("a").setSegments(segments)
        .setNeededSegmentIndexes(needed).setModel("m").setPromptVersion("v")
        .setSource(TestTexts.source(1)).build();
  }

  @Test
  void idsDifferByDocumentAndSlotButNotByAnythingElse() {
    List<Segment> a = TestTexts.segments("doc-a", TestTexts.document(1, 6), 1);
    List<Segment> b = TestTexts.segments("doc-b", TestTexts.document(1, 6), 2);
    // The same text in two documents: the same request key (content-addressed), other ids.
    String ida = ContextAssembler.exampleId(qa("doc-a", "k1", List.of(a.get(0)), List.of(0)),
        Kind.FINE_GRAINED);
    String idb = ContextAssembler.exampleId(qa("doc-b", "k1", List.of(b.get(0)), List.of(0)),
        Kind.FINE_GRAINED);
    assertNotEquals(ida, idb, "two documents sharing a segment");
    // Two slots of one document asking about two segments with the same text.
    Segment copy = Segment.newBuilder(a.get(0)).setIndex(1).build();
    String slot1 = ContextAssembler.exampleId(qa("doc-a", "k1", List.of(copy), List.of(1)),
        Kind.FINE_GRAINED);
    assertNotEquals(ida, slot1, "two slots of one document");
    assertNotEquals(ida, ContextAssembler.exampleId(
        qa("doc-a", "k1", List.of(a.get(0)), List.of(0)), Kind.SHORT_CONTEXT), "kinds");
    assertEquals(ida, ContextAssembler.exampleId(
        qa("doc-a", "k1", List.of(a.get(0)), List.of(0)), Kind.FINE_GRAINED), "stable");
    assertEquals(32, ida.length());
    // A re-crawl: the same page (document id) and text read again from a later Kafka record.
    QaPair again = QaPair.newBuilder(qa("doc-a", "k1", List.of(a.get(0)), List.of(0)))
        .setSource(TestTexts.source(2)).build();
    assertNotEquals(ida, ContextAssembler.exampleId(again, Kind.FINE_GRAINED),
        "two fetches of one page, one segment shared");
  }

  private static LongContextExample example(String id, String question, long offset) {
    return LongContextExample.newBuilder().setId(id).setKind(Kind.FINE_GRAINED).setContext("c")
        .setQuestion(question).setAnswer("a").setPrompt("p").setCompletion("a").setTemplate("t")
        .setTokenizer("tok").setTargetTokens(1).setContextTokens(1).setPromptTokens(1)
        .setAnswerSegments(List.of()).setSourceDocId("doc-" + offset).setFillerDocIds(List.of())
        .setFillerSegmentIds(List.of()).setSeed(42).setPromptVersion("v").setModel("m")
        .setRequestKey("k").setPipelineVersion("x").setSource(TestTexts.source(offset)).build();
  }

  @Test
  void identicalCopiesAreWrittenOnceAndDifferentOnesAreDeadLetters(TestPipeline pipeline) {
    List<LongContextExample> input = new ArrayList<>();
    input.add(example("same", "q1", 1));
    input.add(example("same", "q1", 1)); // replayed: the same record twice
    input.add(example("clash", "q2", 2));
    input.add(example("clash", "q3", 3)); // another example under that id
    input.add(example("clash", "q3", 3));
    input.add(example("alone", "q4", 4));
    PCollectionTuple out = pipeline
        .apply(Create.of(input).withCoder(AvroCoder.of(LongContextExample.class)))
        .apply("CheckExampleIds", new CheckExampleIds());
    PAssert.that(out.get(CheckExampleIds.EXAMPLES)).satisfies(examples -> {
      Set<String> ids = new TreeSet<>();
      int n = 0;
      for (LongContextExample e : examples) {
        ids.add(e.getId());
        n++;
      }
      assertEquals(Set.of("alone", "same"), ids);
      assertEquals(2, n, "one copy each");
      return null;
    });
    PAssert.that(out.get(CheckExampleIds.FAILURES)).satisfies(failures -> {
      Set<String> docs = new TreeSet<>();
      Set<String> failureIds = new TreeSet<>();
      for (Failure f : failures) {
        assertEquals("DUPLICATE_EXAMPLE_ID", f.getReason());
        assertEquals(CheckExampleIds.STAGE, f.getStage());
        assertTrue(f.getMessage().contains("clash"), f.getMessage());
        docs.add(f.getDocId());
        failureIds.add(FailureIds.of(f));
      }
      assertEquals(Set.of("doc-2", "doc-3"), docs, "one dead letter per distinct copy");
      assertEquals(2, failureIds.size(), "with distinct dead-letter ids");
      return null;
    });
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(1, result.metrics().queryMetrics(MetricsFilter.builder().addNameFilter(
        MetricNameFilter.named(CheckExampleIds.class, "duplicate_ids")).build())
        .getCounters().iterator().next().getAttempted());
  }
}
