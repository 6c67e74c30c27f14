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

  private static BreakIterator sentenceIterator() {
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
    for (String line : text.split("\\R")) {
      String p = line.strip();
      if (p.isEmpty()) {
        continue;
      }
      if (tokenizer.count(p) > maxParagraphTokens) {
        paragraphs.addAll(splitLongParagraph(p));
      } else {
        paragraphs.add(p);
      }
    }

    List<String> segments = new ArrayList<>();
    List<String> buffer = new ArrayList<>();
    for (String p : paragraphs) {
      buffer.add(p);
      if (tokenizer.count(String.join("\n", buffer)) >= minTokens) {
        segments.add(String.join("\n", buffer));
        buffer.clear();
      }
    }
    if (!buffer.isEmpty() && !segments.isEmpty()) {
      // Leftovers never reached the budget: they join the last segment.
      String last = segments.remove(segments.size() - 1);
      segments.add(last + "\n" + String.join("\n", buffer));
    }
    List<Piece> pieces = new ArrayList<>(segments.size());
    for (String s : segments) {
      pieces.add(new Piece(s, tokenizer.count(s)));
    }
    return pieces;
  }

  /** Sentence-level cut, then a token-level cut for any sentence that is still too long. */
  List<String> splitLongParagraph(String paragraph) {
    List<String> out = new ArrayList<>();
    sentences.setText(paragraph);
    StringBuilder current = new StringBuilder();
    int start = sentences.first();
    for (int end = sentences.next(); end != BreakIterator.DONE; start = end, end = sentences.next()) {
      String sentence = paragraph.substring(start, end);
      if (tokenizer.count(sentence) > maxParagraphTokens) {
        flush(current, out);
        out.addAll(splitByTokens(sentence.strip()));
        continue;
      }
      String candidate = current + sentence;
      if (current.length() > 0 && tokenizer.count(candidate.strip()) > maxParagraphTokens) {
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

  private List<String> splitByTokens(String sentence) {
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

  private static void flush(StringBuilder current, List<String> out) {
    String s = current.toString().strip();
    if (!s.isEmpty()) {
      out.add(s);
    }
    current.setLength(0);
  }
}
