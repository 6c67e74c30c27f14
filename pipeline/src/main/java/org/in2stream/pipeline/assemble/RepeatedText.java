package org.in2stream.pipeline.assemble;

import java.util.Set;
import java.util.regex.Pattern;
import org.in2stream.pipeline.util.Hashing;

/**
 * Text compared after whitespace normalisation: every run of whitespace becomes one space, and the
 * ends are trimmed. Two segments that differ only in line breaks, indentation or doubled spaces are
 * the same text here. Used for the boilerplate count (a hash of the normalised text) and for the rule
 * that a filler never repeats, contains or sits inside an answer segment.
 */
public final class RepeatedText {
  /** The rule {@link #normalise} implements, as a regex (kept for the equivalence test). */
  static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private RepeatedText() {}

  /**
   * The text with whitespace runs collapsed to one space and trimmed: exactly {@code
   * WHITESPACE.matcher(text).replaceAll(" ").trim()}, where {@code \s} is {@code [ \t\n\x0B\f\r]},
   * written as one pass because the regex was a fifth of the streaming job's CPU (it runs for every
   * segment in the boilerplate count and for every filler candidate of every example;
   * docs/performance-stream.md). A text with no run to change is not copied.
   */
  public static String normalise(String text) {
    int n = text.length();
    StringBuilder out = null;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (!isSpace(c)) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      int end = i + 1;
      while (end < n && isSpace(text.charAt(end))) {
        end++;
      }
      if (out == null && (c != ' ' || end - i > 1)) {
        out = new StringBuilder(n).append(text, 0, i);
      }
      if (out != null) {
        out.append(' ');
      }
      i = end - 1;
    }
    return (out == null ? text : out.toString()).trim();
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  /** A 64-bit hash of the normalised text: the key of the boilerplate count. */
  public static long hash(String text) {
    return Hashing.sha256Long("segment-text", normalise(text));
  }

  /**
   * The longest line (in characters) that counts as a boilerplate line: footers, notices, bylines
   * and navigation are short; a paragraph of a syndicated story that three sites carry is content,
   * asked about once and deduplicated as a question, not cut out of every copy.
   */
  public static final int MAX_BOILERPLATE_LINE_CHARS = 300;

  /** True if {@code line} may be a boilerplate line: not blank, at most the length above. */
  public static boolean boilerplateLineCandidate(String line) {
    return !line.isBlank() && line.strip().length() <= MAX_BOILERPLATE_LINE_CHARS;
  }

  /**
   * {@code text} without the {@link #boilerplateLineCandidate} lines (between line breaks) whose
   * {@link #hash} is in {@code hashes}, when it has two or more lines; the other lines are kept as
   * they are, in order. Returns {@code text} itself when nothing is removed, and an empty string
   * when every line is.
   */
  public static String withoutLines(String text, Set<Long> hashes) {
    if (hashes.isEmpty() || text.indexOf('\n') < 0) {
      return text;
    }
    StringBuilder kept = new StringBuilder(text.length());
    boolean removed = false;
    for (String line : text.split("\n", -1)) {
      if (boilerplateLineCandidate(line) && hashes.contains(hash(line))) {
        removed = true;
        continue;
      }
      kept.append(kept.length() == 0 ? "" : "\n").append(line);
    }
    return removed ? kept.toString().strip() : text;
  }

  /**
   * True if the two normalised texts are equal or one contains the other: a filler with such a text
   * would show (part of) the answer segment twice, or hide it inside another document's text.
   */
  public static boolean overlaps(String normalisedA, String normalisedB) {
    if (normalisedA.length() >= normalisedB.length()) {
      return normalisedA.contains(normalisedB);
    }
    return normalisedB.contains(normalisedA);
  }
}
