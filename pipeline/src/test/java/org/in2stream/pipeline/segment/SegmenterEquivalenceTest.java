package org.in2stream.pipeline.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.ibm.icu.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The segmenter counts a growing buffer of lines incrementally when the tokenizer allows it; this
 * checks that it gives exactly what re-encoding every buffer gives (the straightforward IN2 Algorithm
 * 1, kept here as the reference), on news-like text and on lines built to stress merges at line
 * breaks: punctuation and quotes at line ends, lines starting with '/', digits, quotes, non-breaking
 * spaces, CJK, emoji, tabs.
 */
class SegmenterEquivalenceTest {
  private static final String[] STARTS = {"", "/", "\"", "'", "(", "1", "42 ", "\u00A0", "\u3000",
      "\t", "-", "#", "\u201C", "\uD83D\uDE00", "\u4E2D\u6587", "'s", "...", ",", " "};
  private static final String[] ENDS = {".", "?", "!\"", ")", ":", ",", "...", "/", "'", "'s", "9",
      "\u3002", "\uD83D\uDE00", " -", "\u00A0x", "etc.", "\"", ";", "e.g."};

  static Stream<String> specs() {
    return TestTexts.allTokenizerSpecs();
  }

  @ParameterizedTest
  @MethodSource("specs")
  void incrementalCountsEqualReencodingEveryBuffer(String spec) {
    TextTokenizer tok = Tokenizers.load(spec);
    Segmenter segmenter = new Segmenter(tok, 128, 512);
    Segmenter small = new Segmenter(tok, 12, 40);
    for (int d = 0; d < 16; d++) {
      String news = TestTexts.document(500 + d, 14);
      assertEquals(reference(tok, segmenter, news), segmenter.segment(news), spec + " news " + d);
      String odd = stress(new SplittableRandom(d), 40);
      assertEquals(reference(tok, segmenter, odd), segmenter.segment(odd), spec + " stress " + d);
      assertEquals(reference(tok, small, odd), small.segment(odd), spec + " small " + d);
      Segmenter tight = new Segmenter(tok, 20, 60);
      assertEquals(reference(tok, tight, odd), tight.segment(odd), spec + " tight " + d);
    }
  }

  @ParameterizedTest
  @MethodSource("specs")
  void countWithNewlineIsTheCountOfTheTextAndALineBreak(String spec) {
    TextTokenizer tok = Tokenizers.load(spec);
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < 200; i++) {
      String a = line(rng);
      String b = line(rng);
      assertEquals(tok.count(a + "\n"), tok.countWithNewline(a, tok.count(a)), spec + " " + a);
      if (tok.additive(a, " " + b)) {
        assertEquals(tok.count(a + " " + b), tok.count(a) + tok.count(" " + b), spec + " " + a);
      }
      if (tok.additiveAfterLineBreak(b)) {
        assertEquals(tok.count(a + "\n" + b), tok.countWithNewline(a, tok.count(a)) + tok.count(b),
            spec + " [" + a + "] [" + b + "]");
      }
    }
  }

  private static String line(SplittableRandom rng) {
    String body = TestTexts.sentence(rng);
    if (rng.nextInt(3) == 0) {
      body = body + " " + TestTexts.sentence(rng);
    }
    return STARTS[rng.nextInt(STARTS.length)] + body + ENDS[rng.nextInt(ENDS.length)];
  }

  private static String stress(SplittableRandom rng, int lines) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      sb.append(line(rng));
      sb.append(rng.nextInt(6) == 0 ? "\n\n" : rng.nextInt(9) == 0 ? "\r\n" : "\n");
      if (rng.nextInt(25) == 0) { // a paragraph far above the budget
        for (int k = 0; k < 60; k++) {
          sb.append(k % 7 == 3 ? line(rng) : TestTexts.sentence(rng))
              .append(k % 11 == 5 ? "  " : k % 13 == 7 ? "\u00A0" : " ");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** The sentence-level cut as first written: the growing piece re-encoded for every sentence. */
  private static List<String> referenceSplit(TextTokenizer tok, Segmenter segmenter,
      String paragraph, int max) {
    List<String> out = new ArrayList<>();
    BreakIterator sentences = Segmenter.sentenceIterator();
    sentences.setText(paragraph);
    StringBuilder current = new StringBuilder();
    int start = sentences.first();
    for (int end = sentences.next(); end != BreakIterator.DONE; start = end, end = sentences.next()) {
      String sentence = paragraph.substring(start, end);
      if (tok.count(sentence) > max) {
        flush(current, out);
        out.addAll(segmenter.splitByTokens(sentence.strip()));
        continue;
      }
      String candidate = current + sentence;
      if (current.length() > 0 && tok.count(candidate.strip()) > max) {
        flush(current, out);
        current.append(sentence);
      } else {
        current.setLength(0);
        current.append(candidate);
      }
    }
    flush(current, out);
    return out;
  }

  private static void flush(StringBuilder current, List<String> out) {
    String s = current.toString().strip();
    if (!s.isEmpty()) {
      out.add(s);
    }
    current.setLength(0);
  }

  /** IN2 Algorithm 1 as first written: every buffer and every segment re-encoded. */
  private static List<Segmenter.Piece> reference(TextTokenizer tok, Segmenter segmenter,
      String text) {
    int max = segmenter.maxParagraphTokensForTest();
    int min = segmenter.minTokensForTest();
    List<String> paragraphs = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String p = line.strip();
      if (p.isEmpty()) {
        continue;
      }
      if (tok.count(p) > max) {
        paragraphs.addAll(referenceSplit(tok, segmenter, p, max));
      } else {
        paragraphs.add(p);
      }
    }
    List<String> segments = new ArrayList<>();
    List<String> buffer = new ArrayList<>();
    for (String p : paragraphs) {
      buffer.add(p);
      if (tok.count(String.join("\n", buffer)) >= min) {
        segments.add(String.join("\n", buffer));
        buffer.clear();
      }
    }
    if (!buffer.isEmpty() && !segments.isEmpty()) {
      String last = segments.remove(segments.size() - 1);
      segments.add(last + "\n" + String.join("\n", buffer));
    }
    List<Segmenter.Piece> pieces = new ArrayList<>();
    for (String s : segments) {
      pieces.add(new Segmenter.Piece(s, tok.count(s)));
    }
    return pieces;
  }
}
