package org.in2stream.pipeline.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;

/** A filler that equals, contains or sits inside an answer segment is never placed with it. */
class RepeatedTextTest {
  @Test
  void normalisationCollapsesWhitespace() {
    assertEquals("a b c", RepeatedText.normalise("  a \n\t b  c \n"));
    assertEquals(RepeatedText.hash("a b"), RepeatedText.hash("a\n b "));
    assertTrue(RepeatedText.overlaps("x a b y", "a b"));
    assertTrue(RepeatedText.overlaps("a b", "x a b y"));
    assertFalse(RepeatedText.overlaps("a b", "a c"));
  }

  private static Segment segment(String docId, int index, String text) {
    return Segment.newBuilder(TestTexts.segments(docId, text, 500).get(0)).setIndex(index).build();
  }

  @Test
  void fillersThatRepeatTheAnswerAreSkipped() {
    String answerText = TestTexts.paragraph(new java.util.SplittableRandom(5), 7);
    Segment answer = segment("src", 0, answerText);
    List<Segment> pool = new ArrayList<>(TestTexts.pool(30, 3));
    // The same text with other whitespace, a text that contains it, one it contains.
    String[] sentences = answerText.split("(?<=\\.) ");
    String inside = String.join(" ", List.of(sentences).subList(0, 6));
    pool.add(0, segment("copy", 0, answerText.replace(" ", "\n")));
    pool.add(1, segment("wider", 0, answerText + " " + TestTexts.sentence(
        new java.util.SplittableRandom(9))));
    pool.add(2, segment("narrower", 0, inside));
    QaPair qa = QaPair.newBuilder().setRequestKey("k").setKind(Kind.FINE_GRAINED).setDocId("src")
        .setQuestion("What was recorded?").setAnswer("numbers").setSegments(List.of(answer))
        .setNeededSegmentIndexes(List.of(0)).setModel("m").setPromptVersion("v")
        .setSource(answer.getSource()).build();
    ContextAssembler assembler = new ContextAssembler(TestTexts.tokenizer(),
        TestTexts.settings("tiktoken:cl100k_base", LengthDistribution.uniform(2048, 8192),
            Placement.SHUFFLE, 0));
    int filled = 0;
    for (int round = 0; round < 20; round++) {
      QaPair q = QaPair.newBuilder(qa).setRequestKey("k" + round).build();
      LongContextExample e = assembler.assemble(q, Kind.FINE_GRAINED, pool).example();
      assertNotNull(e, "assembled");
      for (String d : List.of("copy", "wider", "narrower")) {
        assertFalse(e.getFillerDocIds().contains(d), d + " placed with the answer: " + e.getId());
      }
      String context = RepeatedText.normalise(e.getContext());
      String norm = RepeatedText.normalise(answerText);
      assertEquals(context.indexOf(norm), context.lastIndexOf(norm), "answer text once");
      assertTrue(context.contains(norm));
      filled += e.getFillerDocIds().size();
    }
    assertTrue(filled > 20 * 10, "contexts were filled: " + filled);
  }

  @Test
  void onlyShortRepeatedLinesAreCutOutOfASegment() {
    String footer = "Copyright 2026 Example News. All rights reserved.";
    String paragraph = "word ".repeat(80).strip(); // 399 characters: content, never a line rule
    java.util.Set<Long> repeated = java.util.Set.of(RepeatedText.hash(footer),
        RepeatedText.hash(paragraph));
    assertEquals("Own text.", RepeatedText.withoutLines("Own text.\n" + footer, repeated));
    String kept = "Own text.\n" + paragraph;
    assertTrue(kept == RepeatedText.withoutLines(kept, repeated), "a long line stays");
    assertEquals("", RepeatedText.withoutLines(footer + "\n  " + footer + " ", repeated));
    assertEquals(footer, RepeatedText.withoutLines(footer, repeated), "one line: the segment rule");
  }
}
