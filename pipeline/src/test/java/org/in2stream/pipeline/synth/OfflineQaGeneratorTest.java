package org.in2stream.pipeline.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.verify.LexicalChecks;
import org.in2stream.pipeline.verify.Tokens;
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
    String[] answers = r.answer().split("; ");
    assertTrue(segs.get(a).getText().contains(filled(quoted(r.question(), 0), answers[0])));
    assertTrue(segs.get(b).getText().contains(filled(quoted(r.question(), 1), answers[1])));
  }

  /**
   * By construction, an offline multi-segment pair needs both its pieces: it passes the lexical
   * chain (quotes in their pieces, answer grounded in them, each piece needed), and each piece's
   * part of the answer has words found nowhere in the other piece's evidence, so asking with either
   * piece removed leaves part of the answer without a source.
   */
  @Test
  void multiSegmentPairsNeedBothPiecesByConstruction() {
    int checked = 0;
    for (int d = 0; d < 60; d++) {
      List<Segment> segs = TestTexts.segments("m" + d, TestTexts.document(300 + d, 8), 1);
      if (segs.size() < 2) {
        continue;
      }
      for (int attempt = 0; attempt < 2; attempt++) {
        QaResult r = gen.generateNow(request(Kind.MULTI_SEGMENT, segs), attempt);
        if (!r.isOk()) {
          continue;
        }
        java.util.Map<Integer, String> pieces = new java.util.HashMap<>();
        segs.forEach(s -> pieces.put(s.getIndex(), s.getText()));
        LexicalChecks.Outcome o = LexicalChecks.run(true, r.question(), r.answer(), r.evidence(),
            pieces, r.neededSegmentIndexes(), 1.0);
        assertTrue(o.passed(), o.failed() + ": " + o.message());
        assertTrue(o.scores().necessity() > 0);
        String[] parts = r.answer().split("; ");
        for (int i = 0; i < 2; i++) {
          String other = r.evidence().get(1 - i).text();
          assertFalse(java.util.Set.copyOf(Tokens.all(other)).containsAll(
              Tokens.contentSet(parts[i])), "part " + i + " of " + r.answer()
              + " is also in the other piece");
        }
        checked++;
      }
    }
    assertTrue(checked >= 60, checked + " pairs checked");
  }

  @Test
  void attemptsDrawDifferentQuestions() {
    List<Segment> segs = TestTexts.segments("d", TestTexts.document(9, 12), 1);
    int differ = 0;
    for (Segment s : segs) {
      QaResult a = gen.generateNow(request(Kind.FINE_GRAINED, List.of(s)), 0);
      QaResult b = gen.generateNow(request(Kind.FINE_GRAINED, List.of(s)), 1);
      assertEquals(b, gen.generateNow(request(Kind.FINE_GRAINED, List.of(s)), 1));
      differ += a.question().equals(b.question()) ? 0 : 1;
    }
    assertTrue(differ > 0, "a regenerated slot can get another question");
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
