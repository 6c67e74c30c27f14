package org.in2stream.pipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Source;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Near-duplicate questions with {@link TestStream}: the same question asked again (reworded, same
 * answer) is caught; a different question in the same frame (another answer) and one response used
 * in two documents (one request key) are kept.
 */
@ExtendWith(TestPipelineExtension.class)
class DeduplicateQuestionsTest {
  private static final Duration WINDOW = Duration.standardMinutes(1);
  private static final DedupSettings ON = new DedupSettings(DedupSettings.DEFAULT_HORIZON_HOURS,
      DedupSettings.DEFAULT_NEAR_THRESHOLD, DedupSettings.DEFAULT_QUESTION_THRESHOLD);
  private static final long T0 = 1_700_000_040_000L - 1_700_000_040_000L % WINDOW.getMillis();

  private static final String SHIP = "What was the name of the ship that carried the first "
      + "settlers to the island in 1642?";
  private static final String VESSEL = "What was the name of the vessel that carried the first "
      + "settlers to the island in 1642?";
  private static final String CHURCH = "In which year did the settlers build the first church on "
      + "the island?";

  private static final String BRIDGE = "What did the Kalo town council decide about the old bridge "
      + "on Monday?";
  private static final String MARKET = "What did the Kalo town council decide about the old market "
      + "on Monday?";

  private static TimestampedValue<QaPair> qa(String requestKey, String docId, String question,
      long millis) {
    return qa(requestKey, docId, question, "The Kalo Star", millis);
  }

  private static TimestampedValue<QaPair> qa(String requestKey, String docId, String question,
      String answer, long millis) {
    QaPair qa = QaPair.newBuilder().setRequestKey(requestKey).setKind(Kind.FINE_GRAINED)
        .setDocId(docId).setQuestion(question).setAnswer(answer).setSegments(List.of())
        .setNeededSegmentIndexes(List.of(0)).setModel("m").setPromptVersion("v")
        .setSource(new Source("t", 0, millis, T0 + millis)).build();
    return TimestampedValue.of(qa, new Instant(T0 + millis));
  }

  private static PCollectionTuple run(TestPipeline pipeline, TestStream<QaPair> events) {
    return pipeline.apply(events)
        .apply(Window.into(FixedWindows.of(WINDOW)))
        .apply("DeduplicateQuestions",
            new DeduplicateQuestions(ON.questions()));
  }

  private static void assertOneDuplicate(PCollectionTuple out, String docId, String kept) {
    PAssert.that(out.get(DeduplicateQuestions.FAILURES)).satisfies(failures -> {
      int n = 0;
      for (Failure f : failures) {
        n++;
        assertEquals("DUPLICATE_QUESTION", f.getReason());
        assertEquals(docId, f.getDocId());
        assertTrue(f.getMessage().contains("of QA " + kept + " "), f.getMessage());
        assertTrue(!f.getMessage().contains("|"), "no answer signature: " + f.getMessage());
      }
      assertEquals(1, n);
      return null;
    });
  }

  @Test
  void aQuestionRewordedByOneWordIsCaughtAndTheEarliestIsKept(TestPipeline pipeline) {
    TimestampedValue<QaPair> ship = qa("rk-b", "d1", SHIP, 30_000);
    TimestampedValue<QaPair> vessel = qa("rk-a", "d2", VESSEL, 90_000); // later, arrives first
    TimestampedValue<QaPair> church = qa("rk-c", "d3", CHURCH, 60_000);
    PCollectionTuple out = run(pipeline, TestStream.create(AvroCoder.of(QaPair.class))
        .addElements(vessel)
        .addElements(church)
        .advanceWatermarkTo(new Instant(T0 + 20_000))
        .addElements(ship)
        .advanceWatermarkToInfinity());
    PAssert.that(out.get(DeduplicateQuestions.KEPT))
        .containsInAnyOrder(ship.getValue(), church.getValue());
    PAssert.that(out.get(DeduplicateQuestions.KEPT))
        .inWindow(new IntervalWindow(new Instant(T0), WINDOW))
        .containsInAnyOrder(ship.getValue());
    assertOneDuplicate(out, "d2", "rk-b@d1");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void atEqualEventTimeTheSmallerRequestKeyIsKept(TestPipeline pipeline) {
    TimestampedValue<QaPair> ship = qa("rk-b", "d1", SHIP, 30_000);
    TimestampedValue<QaPair> vessel = qa("rk-a", "d2", VESSEL, 30_000);
    PCollectionTuple out = run(pipeline, TestStream.create(AvroCoder.of(QaPair.class))
        .addElements(ship)
        .addElements(vessel)
        .advanceWatermarkToInfinity());
    PAssert.that(out.get(DeduplicateQuestions.KEPT)).containsInAnyOrder(vessel.getValue());
    assertOneDuplicate(out, "d1", "rk-a@d2");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void oneResponseAskedInTwoDocumentsIsKeptForBothButARewordingOfItIsNot(TestPipeline pipeline) {
    // Two documents share a segment: the cache gives both the same response (one request key).
    TimestampedValue<QaPair> inA = qa("rk-shared", "doc-a", SHIP, 30_000);
    TimestampedValue<QaPair> inB = qa("rk-shared", "doc-b", SHIP, 40_000);
    TimestampedValue<QaPair> reworded = qa("rk-other", "doc-c", VESSEL, 50_000);
    PCollectionTuple out = run(pipeline, TestStream.create(AvroCoder.of(QaPair.class))
        .addElements(reworded, inB, inA)
        .advanceWatermarkToInfinity());
    PAssert.that(out.get(DeduplicateQuestions.KEPT))
        .containsInAnyOrder(inA.getValue(), inB.getValue());
    assertOneDuplicate(out, "doc-c", "rk-shared@doc-a");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aDifferentQuestionInTheSameFrameIsKeptAndTheSameQuestionAgainIsCaught(
      TestPipeline pipeline) {
    // Same frame, one word apart, different answers: two facts, both kept.
    TimestampedValue<QaPair> bridge = qa("rk-1", "d1", BRIDGE,
        "It voted to close the bridge for repairs costing 4.2 million", 10_000);
    TimestampedValue<QaPair> market = qa("rk-2", "d2", MARKET,
        "It moved the market to the harbor square from June", 20_000);
    // The bridge question asked again in other words, with the answer reworded: the same thing.
    TimestampedValue<QaPair> again = qa("rk-3", "d3", "What did the Kalo town council decide "
        + "on Monday about the old bridge?",
        "The council voted to close the bridge for repairs, costing 4.2 million", 30_000);
    // The market question word for word, but another answer (another document's market): kept.
    TimestampedValue<QaPair> otherMarket = qa("rk-4", "d4", MARKET,
        "It doubled the stall fees to 40 crowns", 40_000);
    PCollectionTuple out = run(pipeline, TestStream.create(AvroCoder.of(QaPair.class))
        .addElements(otherMarket, again, market, bridge)
        .advanceWatermarkToInfinity());
    PAssert.that(out.get(DeduplicateQuestions.KEPT)).containsInAnyOrder(bridge.getValue(),
        market.getValue(), otherMarket.getValue());
    assertOneDuplicate(out, "d3", "rk-1@d1");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void theThresholdsSeparateTheSameQuestionAgainFromAnotherInTheSameFrame() {
    MinHash mh = new MinHash(DedupSettings.QUESTION_MINHASH);
    double reworded = MinHash.estimate(MinHash.bbit(mh.signature(SHIP + "\nThe Kalo Star")),
        MinHash.bbit(mh.signature(VESSEL + "\nThe Kalo Star")));
    double other = MinHash.estimate(MinHash.bbit(mh.signature(SHIP + "\nThe Kalo Star")),
        MinHash.bbit(mh.signature(CHURCH + "\nIn 1651")));
    assertTrue(reworded >= DedupSettings.DEFAULT_QUESTION_THRESHOLD, "reworded: " + reworded);
    assertTrue(other < 0.3, "other: " + other);
    // Same frame, different answers: the questions alone are near-copies, the answers are not.
    String a = DeduplicateQuestions.KEYS.id(qa("rk-1", "d1", BRIDGE,
        "It voted to close the bridge for repairs costing 4.2 million", 0).getValue());
    String b = DeduplicateQuestions.KEYS.id(qa("rk-2", "d2", MARKET,
        "It moved the market to the harbor square from June", 0).getValue());
    double questions = MinHash.estimate(MinHash.bbit(mh.signature(BRIDGE)),
        MinHash.bbit(mh.signature(MARKET)));
    assertTrue(questions >= 0.6, "questions alone: " + questions);
    assertTrue(DeduplicateQuestions.QaKeys.answerSimilarity(a, b) < DedupSettings.ANSWER_THRESHOLD);
    assertTrue(DeduplicateQuestions.KEYS.sameOrigin(a, b), "different answers never match");
    // Same frame, same answer, different names: two facts.
    String vensilmir = DeduplicateQuestions.KEYS.id(qa("rk-5", "d5", "How many days after the "
        + "decision in neighboring Vensilmir did the announcement come?", "28 days", 0).getValue());
    String mirquinby = DeduplicateQuestions.KEYS.id(qa("rk-6", "d6", "How many days after the "
        + "decision in neighboring Mirquinby did the announcement come?", "28 days", 0).getValue());
    assertEquals(1.0, DeduplicateQuestions.QaKeys.answerSimilarity(vensilmir, mirquinby));
    assertTrue(!DeduplicateQuestions.QaKeys.sameNames(vensilmir, mirquinby));
    assertTrue(DeduplicateQuestions.KEYS.sameOrigin(vensilmir, mirquinby));
    assertEquals(java.util.Set.of("kalo", "monday"), DeduplicateQuestions.QaKeys.names(BRIDGE));
    // A cloze over one sentence frame whose answers are names sharing all but their first word
    // (chaos.sh's corpus, 2026-12-02: flagged before the answer's first word counted as a name).
    String cloze = "Which word or phrase fills the blank in this statement? \"A spokesperson for "
        + "the ____ declined to comment on the figures beyond a short statement.\"";
    String losilbrook = DeduplicateQuestions.KEYS.id(
        qa("rk-7", "d7", cloze, "Losilbrook Flood Control Board", 0).getValue());
    String venta = DeduplicateQuestions.KEYS.id(
        qa("rk-8", "d8", cloze, "Venta Flood Control Board", 0).getValue());
    assertTrue(!DeduplicateQuestions.QaKeys.sameNames(losilbrook, venta));
    assertTrue(DeduplicateQuestions.KEYS.sameOrigin(losilbrook, venta), "two different answers");
    String again = DeduplicateQuestions.KEYS.id(
        qa("rk-9", "d9", cloze, "Losilbrook Flood Control Board", 0).getValue());
    assertTrue(!DeduplicateQuestions.KEYS.sameOrigin(losilbrook, again), "the same answer again");
  }

  @Test
  void anIdCarriesTheAnswerSignatureAndDeadLettersNameItWithout() {
    QaPair one = qa("rk-1", "doc|7", SHIP, "1,200 settlers", 0).getValue();
    QaPair two = qa("rk-2", "doc-8", VESSEL, "about 1200 settlers", 0).getValue();
    QaPair shared = qa("rk-1", "doc-9", SHIP, "1,200 settlers", 0).getValue();
    String a = DeduplicateQuestions.KEYS.id(one);
    assertEquals("rk-1@doc|7", DeduplicateQuestions.QaKeys.name(a));
    assertEquals(a, DeduplicateQuestions.KEYS.id(one), "deterministic");
    // numbers compared as numbers, stop words dropped: the same answer
    assertEquals(1.0, DeduplicateQuestions.QaKeys.answerSimilarity(a,
        DeduplicateQuestions.KEYS.id(two)));
    assertTrue(!DeduplicateQuestions.KEYS.sameOrigin(a, DeduplicateQuestions.KEYS.id(two)));
    // one request key: one cached response asked in two documents, never duplicates
    assertTrue(DeduplicateQuestions.KEYS.sameOrigin(a, DeduplicateQuestions.KEYS.id(shared)));
  }
}
