package org.in2stream.pipeline.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;

class OfflineQaGeneratorTest {
  private final OfflineQaGenerator gen = new OfflineQaGenerator(42);

  private QaRequest request(Kind kind, List<Segment> segs) {
    return QaRequest.of(gen.model(), gen.promptVersion(), gen.generationParams(), kind, "d", segs);
  }

  /** The question quotes a sentence with a blank; filling it with the answer gives back text. */
  private static String filled(String quoted, String span) {
    return quoted.replace(OfflineQaGenerator.BLANK, span);
  }

  private static String quoted(String question, int n) {
    String[] parts = question.split("\"");
    return parts[2 * n + 1];
  }

  @Test
  void fineGrainedAnswerIsASpanOfItsSegment() {
    for (int d = 0; d < 40; d++) {
      List<Segment> segs = TestTexts.segments("d", TestTexts.document(d, 6), 1);
      Segment s = segs.get(d % segs.size());
      QaResult r = gen.generateNow(request(Kind.FINE_GRAINED, List.of(s)));
      assertTrue(r.isOk(), () -> r.failureMessage());
      assertEquals(List.of(s.getIndex()), r.neededSegmentIndexes());
      assertTrue(s.getText().contains(r.answer()), "answer copied from the segment");
      assertTrue(s.getText().contains(filled(quoted(r.question(), 0), r.answer())),
          "the completed statement is a sentence of the segment: grounded");
      assertFalse(r.question().toLowerCase().contains("based on the context"));
    }
  }

  @Test
  void multiSegmentNeedsTwoDifferentPieces() {
    List<Segment> segs = TestTexts.segments("d", TestTexts.document(77, 12), 1);
    QaResult r = gen.generateNow(request(Kind.MULTI_SEGMENT, segs));
    assertTrue(r.isOk());
    assertEquals(2, r.neededSegmentIndexes().size());
    int a = r.neededSegmentIndexes().get(0);
    int b = r.neededSegmentIndexes().get(1);
    assertNotEquals(a, b);
    String[] answers = r.answer().replace("(1) ", "").split("; \\(2\\) ");
    assertTrue(segs.get(a).getText().contains(filled(quoted(r.question(), 0), answers[0])));
    assertTrue(segs.get(b).getText().contains(filled(quoted(r.question(), 1), answers[1])));
  }

  @Test
  void deterministicPerRequestKey() {
    List<Segment> segs = TestTexts.segments("d", TestTexts.document(5, 12), 1);
    assertEquals(gen.generateNow(request(Kind.MULTI_SEGMENT, segs)),
        new OfflineQaGenerator(42).generateNow(request(Kind.MULTI_SEGMENT, segs)));
  }

  @Test
  void textWithoutUsableSentencesIsAFailureValue() {
    Segment s = Segment.newBuilder().setDocId("d").setIndex(0).setText("a b c\nd e f")
        .setTokens(5).setSource(TestTexts.source(1)).build();
    QaResult r = gen.generate(request(Kind.FINE_GRAINED, List.of(s))).join();
    assertFalse(r.isOk());
    assertEquals(Reason.NO_QA, r.failureReason());
  }
}
