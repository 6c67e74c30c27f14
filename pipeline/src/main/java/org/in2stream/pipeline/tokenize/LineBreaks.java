package org.in2stream.pipeline.tokenize;

/**
 * The rules behind {@link TextTokenizer#additiveAfterLineBreak}, {@link TextTokenizer#additive} and
 * {@link TextTokenizer#countBeforeLine} shared by every tokenizer whose pre-tokenizer regex is one of
 * tiktoken's (r50k, p50k, cl100k, o200k) or of the same family (Llama 3, Qwen2): letter and number
 * pieces may begin with one character that is not a line break, punctuation pieces with one space
 * (o200k's also take trailing line breaks and slashes), whitespace pieces hold whitespace only, and
 * byte-pair merges never cross pieces.
 */
final class LineBreaks {
  /** A line that is one piece and one token in every such tokenizer; see {@link #beforeLine}. */
  static final String PROBE = "x";

  private LineBreaks() {}

  /**
   * No piece continues past a line break into a following character that is neither whitespace
   * nor '/' (o200k's punctuation pieces take trailing line breaks and slashes, hence the '/').
   */
  static boolean startsAfterLineBreak(String next) {
    if (next.isEmpty()) {
      return false;
    }
    char c = next.charAt(0);
    return c != '/' && !Character.isWhitespace(c) && !Character.isSpaceChar(c)
        && !Character.isISOControl(c);
  }

  /**
   * A space that follows a character that is not whitespace always starts a piece: no piece holds a
   * space after its first character unless the piece is all whitespace.
   */
  static boolean additiveBeforeSpace(String left, String right) {
    if (left.isEmpty() || right.isEmpty()) {
      return true;
    }
    char a = left.charAt(left.length() - 1);
    return right.charAt(0) == ' ' && !Character.isWhitespace(a) && !Character.isSpaceChar(a)
        && !Character.isISOControl(a);
  }

  /** The count of {@code text + "\n"} from the count of {@code text}, encoding only its tail. */
  static int withNewline(TextTokenizer tok, String text, int tokens) {
    String tail = stableTail(text);
    return tokens - tok.count(tail) + tok.count(tail + "\n");
  }

  /**
   * {@link TextTokenizer#countBeforeLine}: only the text from the last space that follows a
   * non-whitespace character can change, so only that tail is encoded, followed by the separator
   * and the one-letter line {@link #PROBE}: a letter after a line break always starts a piece, so
   * the probe is a piece (one token) of its own, and the pieces before it are those in front of any
   * {@code next} that starts with a character that is neither whitespace nor '/' (their only
   * look-ahead, {@code \s+(?!\S)}, sees a non-space in both cases).
   */
  static int beforeLine(TextTokenizer tok, int probeTokens, String text, int tokens,
      String separator) {
    requireLineBreakAtEnd(separator);
    String tail = stableTail(text);
    return tokens - tok.count(tail) + tok.count(tail + separator + PROBE) - probeTokens;
  }

  /**
   * {@link TextTokenizer#tokenCharStartsBeforeLine}: {@code text + separator} is encoded in front of
   * the line {@link #PROBE}, which starts a piece and a token of its own (see {@link #beforeLine}),
   * and the probe's token is left out.
   */
  static int[] startsBeforeLine(TextTokenizer tok, String text, String separator) {
    if (!tok.additiveAfterLineBreak(PROBE)) {
      throw new UnsupportedOperationException(tok.spec()
          + " does not encode text before a line apart");
    }
    requireLineBreakAtEnd(separator);
    String head = text + separator;
    int[] starts = tok.tokenCharStarts(head + PROBE);
    int n = starts.length;
    while (n > 0 && starts[n - 1] >= head.length()) {
      n--;
    }
    return java.util.Arrays.copyOf(starts, n);
  }

  private static void requireLineBreakAtEnd(String separator) {
    if (separator.isEmpty() || separator.charAt(separator.length() - 1) != '\n') {
      throw new IllegalArgumentException("the separator must end with a line break, got ["
          + separator + "]");
    }
  }

  /**
   * {@code text} from its last space that follows a non-whitespace character (all of it if there is
   * none). Such a space always starts a piece and no earlier piece looks past it, so whatever is
   * appended to {@code text}, the pieces before the tail stay the same.
   */
  static String stableTail(String text) {
    int k = text.length() - 1;
    while (k > 0 && !(text.charAt(k) == ' ' && !Character.isWhitespace(text.charAt(k - 1)))) {
      k--;
    }
    return text.substring(Math.max(k, 0));
  }
}
