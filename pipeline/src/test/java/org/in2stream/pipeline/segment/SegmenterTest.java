package org.in2stream.pipeline.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.junit.jupiter.api.Test;

class SegmenterTest {
  private final TextTokenizer tok = TestTexts.tokenizer();
  private final Segmenter segmenter = new Segmenter(tok, 128, 512);

  @Test
  void segmentsAreWholeParagraphsOfAtLeastTheBudget() {
    String text = TestTexts.document(1, 12);
    List<String> paragraphs = List.of(text.split("\n"));
    List<Segmenter.Piece> pieces = segmenter.segment(text);
    assertTrue(pieces.size() >= 2, "a 12-paragraph text gives several segments");

    List<String> rebuilt = new ArrayList<>();
    for (Segmenter.Piece p : pieces) {
      assertTrue(p.tokens() >= 128, "segment of " + p.tokens() + " tokens");
      assertEquals(tok.count(p.text()), p.tokens(), "recorded count is the count of the text");
      rebuilt.addAll(List.of(p.text().split("\n")));
    }
    assertEquals(paragraphs, rebuilt, "segments are paragraphs joined by newlines, in order");
  }

  @Test
  void eachSegmentClosesAsSoonAsItReachesTheBudget() {
    String text = TestTexts.document(2, 15);
    List<Segmenter.Piece> pieces = segmenter.segment(text);
    for (Segmenter.Piece p : pieces.subList(0, pieces.size() - 1)) {
      List<String> paras = List.of(p.text().split("\n"));
      String withoutLast = String.join("\n", paras.subList(0, paras.size() - 1));
      assertTrue(paras.size() == 1 || tok.count(withoutLast) < 128,
          "a segment that already held 128 tokens would have closed earlier");
    }
  }

  @Test
  void leftoverParagraphsMergeIntoTheLastSegment() {
    SplittableRandom rng = new SplittableRandom(3);
    String big = TestTexts.paragraph(rng, 7); // about 150+ tokens: closes a segment alone
    String tail = "A short closing line.";
    List<Segmenter.Piece> pieces = segmenter.segment(big + "\n" + tail);
    assertEquals(1, pieces.size());
    assertEquals(big + "\n" + tail, pieces.get(0).text());
  }

  @Test
  void aParagraphFarOverBudgetIsCutAtSentencesAndStaysBounded() {
    SplittableRandom rng = new SplittableRandom(4);
    String huge = TestTexts.paragraph(rng, 120); // several thousand tokens, no newline
    assertTrue(tok.count(huge) > 2_000);
    List<Segmenter.Piece> pieces = segmenter.segment(huge);
    assertTrue(pieces.size() >= 4, "split into " + pieces.size());
    StringBuilder joined = new StringBuilder();
    for (Segmenter.Piece p : pieces) {
      assertTrue(p.tokens() >= 128);
      assertTrue(p.tokens() <= 512 + 128 + 128, "bounded segment, got " + p.tokens());
      for (String line : p.text().split("\n")) {
        assertTrue(line.endsWith("."), "cut at a sentence end: ..." + line.substring(
            Math.max(0, line.length() - 20)));
      }
      joined.append(p.text().replace("\n", " ")).append(' ');
    }
    assertEquals(huge, joined.toString().strip(), "no text lost or reordered");
  }

  @Test
  void aSentenceWithoutBoundariesIsCutAtTokens() {
    String word = "x7".repeat(3_000); // one "sentence" of thousands of tokens
    List<Segmenter.Piece> pieces = segmenter.segment(word);
    assertFalse(pieces.isEmpty());
    StringBuilder joined = new StringBuilder();
    for (Segmenter.Piece p : pieces) {
      assertTrue(p.tokens() <= 512 + 128 + 128, "bounded: " + p.tokens());
      joined.append(p.text().replace("\n", ""));
    }
    assertEquals(word, joined.toString());
  }

  @Test
  void aDocumentBelowOneSegmentGivesNone() {
    assertTrue(segmenter.segment("Only a few words here.\nAnd one more line.").isEmpty());
    assertTrue(segmenter.segment("  \n\n \n").isEmpty());
  }

  @Test
  void abbreviationsAreNotSentenceEnds() {
    // Budgets small enough that the paragraph must be cut at sentences.
    Segmenter small = new Segmenter(tok, 16, 40);
    StringBuilder p = new StringBuilder();
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < 12; i++) {
      p.append("Dr. ").append(TestTexts.name(rng)).append(" told Mr. ").append(TestTexts.name(rng))
          .append(" that U.S. officials had visited ").append(TestTexts.name(rng))
          .append(" twice. ");
    }
    List<Segmenter.Piece> pieces = small.segment(p.toString().strip());
    assertTrue(pieces.size() >= 3, "cut into " + pieces.size());
    for (Segmenter.Piece piece : pieces) {
      for (String line : piece.text().split("\n")) {
        assertTrue(line.endsWith("twice."), "cut only after a full sentence: ..." + line);
      }
      assertEquals(tok.count(piece.text()), piece.tokens());
    }
  }

  @Test
  void chineseWithoutSpacesIsCutAtItsFullStops() {
    String[] sentences = {"今天北京的天气很好，我们一起去公园散步。", "会议在上午十点开始，持续了两个小时。",
        "研究人员测量了三百个样本的温度。", "这座桥于去年秋天正式通车。"};
    StringBuilder p = new StringBuilder();
    for (int i = 0; i < 80; i++) {
      p.append(sentences[i % sentences.length]);
    }
    String text = p.toString();
    assertTrue(tok.count(text) > 512);
    List<Segmenter.Piece> pieces = segmenter.segment(text);
    assertTrue(pieces.size() >= 2);
    StringBuilder joined = new StringBuilder();
    for (Segmenter.Piece piece : pieces) {
      assertTrue(piece.tokens() >= 128 && piece.tokens() <= 512 + 128 + 128, "" + piece.tokens());
      for (String line : piece.text().split("\n")) {
        assertTrue(line.endsWith("。"), "cut at a full stop: ..." + line);
      }
      joined.append(piece.text().replace("\n", ""));
    }
    assertEquals(text, joined.toString(), "no character lost");
  }

  @Test
  void anyLineBreakSeparatesParagraphsAndBlankLinesAreDropped() {
    SplittableRandom rng = new SplittableRandom(6);
    String a = TestTexts.paragraph(rng, 4);
    String b = TestTexts.paragraph(rng, 4);
    String c = TestTexts.paragraph(rng, 4);
    List<Segmenter.Piece> unix = segmenter.segment(a + "\n" + b + "\n" + c);
    List<Segmenter.Piece> windows = segmenter.segment(a + "\r\n\r\n  \t\r\n" + b + "\u2028" + c
        + "\r\n");
    assertEquals(unix, windows);
  }

  @Test
  void whitespaceOnlyAndVeryShortDocumentsGiveNoSegment() {
    assertTrue(segmenter.segment("").isEmpty());
    assertTrue(segmenter.segment(" \t\r\n\u2028 \n").isEmpty());
    assertTrue(segmenter.segment("x").isEmpty());
    assertTrue(segmenter.segment("日本語").isEmpty());
  }
}
