package org.in2stream.pipeline.segment;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.text.FilteredBreakIteratorBuilder;
import com.ibm.icu.util.ULocale;
import java.util.ArrayList;
import java.util.List;
import org.in2stream.pipeline.tokenize.TextTokenizer;

/**
 * IN2 Algorithm 1 (An et al. 2024, Appendix D): split on newlines, gather paragraphs into a buffer until
 * it holds at least {@code minTokens} tokens, close it as a segment (paragraphs joined with "\n"), and
 * merge leftover paragraphs into the last segment. Segments are paragraph-aligned and at least
 * {@code minTokens} long, not exactly that long.
 *
 * <p>The paper is silent on a paragraph far above the budget. Here any paragraph above {@code
 * maxParagraphTokens} is first cut at sentence boundaries found by ICU4J's {@link BreakIterator} (with
 * CLDR's English abbreviation suppressions and a few titles, so "Dr. Smith" or "Mr. Jones" are not cut; CJK full stops
 * such as "。" are boundaries), and a sentence still above it is cut at token boundaries, so no
 * segment grows without bound. Lines are split on any Unicode line break ({@code \R}); blank lines
 * are dropped. Not thread-safe: one instance per DoFn instance.
 */
public final class Segmenter {
  private final TextTokenizer tokenizer;
  private final int minTokens;
  private final int maxParagraphTokens;
  /**
   * Titles that CLDR's English suppression list lacks but news text puts before names all the time.
   */
  private static final List<String> EXTRA_ABBREVIATIONS = List.of("Dr.", "St.", "Gen.", "Gov.",
      "Sen.", "Fr.", "Pres.", "Supt.", "Insp.", "Cmdr.");
  /** Unicode sentence rules plus CLDR's English abbreviation suppressions and a few more titles. */
  private final BreakIterator sentences = sentenceIterator();

  public Segmenter(TextTokenizer tokenizer, int minTokens, int maxParagraphTokens) {
    if (minTokens < 1 || maxParagraphTokens < minTokens) {
      throw new IllegalArgumentException("need 1 <= minTokens <= maxParagraphTokens, got "
          + minTokens + " and " + maxParagraphTokens);
    }
    this.tokenizer = tokenizer;
    this.minTokens = minTokens;
    this.maxParagraphTokens = maxParagraphTokens;
  }

  int minTokensForTest() {
    return minTokens;
  }

  int maxParagraphTokensForTest() {
    return maxParagraphTokens;
  }

  static BreakIterator sentenceIterator() {
    FilteredBreakIteratorBuilder filter = FilteredBreakIteratorBuilder.getInstance(ULocale.ENGLISH);
    EXTRA_ABBREVIATIONS.forEach(filter::suppressBreakAfter);
    return filter.wrapIteratorWithFilter(BreakIterator.getSentenceInstance(ULocale.ROOT));
  }

  /** A segment's text and its exact token count. */
  public record Piece(String text, int tokens) {}

  /**
   * Segments of {@code text}; empty when the whole text holds fewer than {@code minTokens} tokens
   * (such a document cannot give one full segment).
   */
  public List<Piece> segment(String text) {
    List<String> paragraphs = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    int from = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i < text.length() && !isLineBreak(text.charAt(i))) {
        continue;
      }
      // a line ends at any character of \R (\r\n gives an empty line between, dropped below)
      String p = text.substring(from, i).strip();
      from = i + 1;
      if (p.isEmpty()) {
        continue;
      }
      int tokens = tokenizer.count(p);
      if (tokens > maxParagraphTokens) {
        for (Piece piece : splitLongParagraph(p)) {
          paragraphs.add(piece.text());
          counts.add(piece.tokens());
        }
      } else {
        paragraphs.add(p);
        counts.add(tokens);
      }
    }

    // The buffer is paragraphs[start..i]; its exact count decides when a segment closes. A buffer of
    // one paragraph has that paragraph's count; a longer one is re-encoded, unless the tokenizer is
    // additive after a line break: then count(buffer) = count(previous buffer + "\n") + count(p).
    List<String> segments = new ArrayList<>();
    List<Integer> segmentTokens = new ArrayList<>();
    int start = 0;
    int tokens = 0;
    int withNewline = 0; // count(join(paragraphs[start..i-1]) + "\n"), additive path only
    for (int i = 0; i < paragraphs.size(); i++) {
      String p = paragraphs.get(i);
      boolean additive = i > start && tokenizer.additiveAfterLineBreak(p);
      if (i == start) {
        tokens = counts.get(i);
      } else if (additive) {
        tokens = withNewline + counts.get(i);
      } else {
        tokens = tokenizer.count(join(paragraphs, start, i + 1));
      }
      if (tokens >= minTokens) {
        segments.add(join(paragraphs, start, i + 1));
        segmentTokens.add(tokens);
        start = i + 1;
        continue;
      }
      if (i + 1 < paragraphs.size() && tokenizer.additiveAfterLineBreak(paragraphs.get(i + 1))) {
        // the next step adds to this count instead of re-encoding the buffer
        if (i == start) {
          withNewline = tokenizer.countWithNewline(p, tokens);
        } else if (additive) {
          withNewline += tokenizer.countWithNewline(p, counts.get(i));
        } else {
          withNewline = tokenizer.countWithNewline(join(paragraphs, start, i + 1), tokens);
        }
      }
    }
    if (start < paragraphs.size() && !segments.isEmpty()) {
      // Leftovers never reached the budget: they join the last segment.
      int lastIndex = segments.size() - 1;
      String last = segments.get(lastIndex);
      String rest = join(paragraphs, start, paragraphs.size());
      String merged = last + "\n" + rest;
      int mergedTokens = tokenizer.additiveAfterLineBreak(rest)
          ? tokenizer.countWithNewline(last, segmentTokens.get(lastIndex)) + tokens
          : tokenizer.count(merged);
      segments.set(lastIndex, merged);
      segmentTokens.set(lastIndex, mergedTokens);
    }
    List<Piece> pieces = new ArrayList<>(segments.size());
    for (int i = 0; i < segments.size(); i++) {
      pieces.add(new Piece(segments.get(i), segmentTokens.get(i)));
    }
    return pieces;
  }

  private static boolean isLineBreak(char c) {
    return c == '\n' || c == '\r' || c == '\u000B' || c == '\u000C' || c == '\u0085'
        || c == '\u2028' || c == '\u2029';
  }

  private static String join(List<String> paragraphs, int from, int to) {
    return String.join("\n", paragraphs.subList(from, to));
  }

  /**
   * Sentence-level cut, then a token-level cut for any sentence that is still too long. Sentences are
   * added to the current piece while the stripped piece stays within the budget; its count grows by
   * {@code count(" " + sentence)} where the tokenizer is additive before a space, else it is
   * re-encoded.
   */
  List<Piece> splitLongParagraph(String paragraph) {
    List<Piece> out = new ArrayList<>();
    sentences.setText(paragraph);
    StringBuilder current = new StringBuilder();
    int currentTokens = -1; // count(current.toString().strip()) once known
    int start = sentences.first();
    for (int end = sentences.next(); end != BreakIterator.DONE; start = end, end = sentences.next()) {
      String sentence = paragraph.substring(start, end);
      if (tokenizer.count(sentence) > maxParagraphTokens) {
        flush(current, currentTokens, out);
        currentTokens = -1;
        for (String piece : splitByTokens(sentence.strip())) {
          out.add(new Piece(piece, tokenizer.count(piece)));
        }
        continue;
      }
      if (current.length() == 0) {
        current.append(sentence);
        currentTokens = -1;
        continue;
      }
      String left = current.toString().strip();
      String right = sentence.strip();
      int candidateTokens;
      if (!left.isEmpty() && !right.isEmpty()
          && (current.toString() + sentence).strip().equals(left + " " + right)
          && tokenizer.additive(left, " " + right)) {
        if (currentTokens < 0) {
          currentTokens = tokenizer.count(left);
        }
        candidateTokens = currentTokens + tokenizer.count(" " + right);
      } else {
        candidateTokens = tokenizer.count((current + sentence).strip());
      }
      if (candidateTokens > maxParagraphTokens) {
        flush(current, currentTokens, out);
        current.append(sentence);
        currentTokens = -1;
      } else {
        current.append(sentence);
        currentTokens = candidateTokens;
      }
    }
    flush(current, currentTokens, out);
    return out;
  }

  List<String> splitByTokens(String sentence) {
    List<String> out = new ArrayList<>();
    String rest = sentence;
    while (!rest.isEmpty()) {
      // Look only at a window of the rest: tokenizing all of a 1 MB line per cut is quadratic.
      int window = Math.min(rest.length(), Math.max(4_096, maxParagraphTokens * 32));
      if (window < rest.length() && Character.isHighSurrogate(rest.charAt(window - 1))) {
        window--;
      }
      int cut = tokenizer.prefixWithinTokens(rest.substring(0, window), maxParagraphTokens);
      if (cut <= 0) {
        cut = rest.offsetByCodePoints(0, 1); // one character above the budget on its own
      }
      String head = rest.substring(0, cut).strip();
      if (!head.isEmpty()) {
        out.add(head);
      }
      rest = rest.substring(cut);
    }
    return out;
  }

  /** Moves the stripped text of {@code current} to {@code out}, with its count if known (>= 0). */
  private void flush(StringBuilder current, int tokens, List<Piece> out) {
    String s = current.toString().strip();
    if (!s.isEmpty()) {
      out.add(new Piece(s, tokens >= 0 ? tokens : tokenizer.count(s)));
    }
    current.setLength(0);
  }
}
