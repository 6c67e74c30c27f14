package org.in2stream.pipeline.verify;

/**
 * Finds a quote in a piece of text after whitespace normalisation: runs of whitespace count as one
 * space, leading and trailing whitespace is ignored, everything else (case, punctuation) must match.
 */
public final class QuoteSpans {
  private QuoteSpans() {}

  /** Start (inclusive) and end (exclusive) of the quote in {@code text}, or null when absent. */
  public static int[] find(String quote, String text) {
    String q = normalise(quote, null);
    if (q.isEmpty()) {
      return null;
    }
    int[] map = new int[text.length() + 1];
    String t = normalise(text, map);
    int at = t.indexOf(q);
    if (at < 0) {
      return null;
    }
    int start = map[at];
    int end = map[at + q.length() - 1] + 1;
    return new int[] {start, end};
  }

  /** Collapses whitespace; {@code map[i]} receives the index in {@code s} of output char i. */
  static String normalise(String s, int[] map) {
    StringBuilder out = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c) || c == '\u00a0') {
        space = out.length() > 0;
        continue;
      }
      if (space) {
        if (map != null) {
          map[out.length()] = i - 1;
        }
        out.append(' ');
        space = false;
      }
      if (map != null) {
        map[out.length()] = i;
      }
      out.append(c);
    }
    return out.toString();
  }
}
