package org.in2stream.pipeline.tokenize;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.charset.StandardCharsets;

/** tiktoken encodings (cl100k_base, o200k_base, ...) through jtokkit. Thread-safe. */
final class TiktokenTokenizer implements TextTokenizer {
  private final String spec;
  private final Encoding encoding;
  /** A line that is one piece and one token in every tiktoken encoding; see countBeforeLine. */
  private static final String PROBE = "x";
  private final int probeTokens;
  /**
   * UTF-8 length of each token id's bytes, filled on first use (0 = not yet known; no token is
   * empty). Racing writers store the same value, so no lock is needed.
   */
  private volatile int[] tokenBytes = new int[0];

  TiktokenTokenizer(String spec, Encoding encoding) {
    this.spec = spec;
    this.encoding = encoding;
    this.probeTokens = encoding.countTokensOrdinary(PROBE);
  }

  @Override
  public String spec() {
    return spec;
  }

  @Override
  public int count(String text) {
    return encoding.countTokensOrdinary(text);
  }

  /**
   * Every tiktoken encoding (r50k, p50k, cl100k, o200k) pre-tokenizes with a regex in which no piece
   * continues past a line break into a following character that is neither whitespace nor '/':
   * letter and number pieces may begin with one character that is not a line break, punctuation
   * pieces with one space (o200k's punctuation pieces take trailing line breaks and slashes, hence
   * the '/'), and whitespace pieces hold whitespace only. Byte-pair merges never cross pieces.
   */
  @Override
  public boolean additiveAfterLineBreak(String next) {
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
  @Override
  public boolean additive(String left, String right) {
    if (left.isEmpty() || right.isEmpty()) {
      return true;
    }
    char a = left.charAt(left.length() - 1);
    return right.charAt(0) == ' ' && !Character.isWhitespace(a) && !Character.isSpaceChar(a)
        && !Character.isISOControl(a);
  }

  /**
   * Only the last piece of {@code text} can change when a line break is appended (a punctuation
   * piece takes trailing line breaks). A space that follows a non-whitespace character always starts
   * a piece (no piece holds a space after its first character unless it is all whitespace), so the
   * text from the last such space on is re-encoded with and without the line break.
   */
  @Override
  public int countWithNewline(String text, int tokens) {
    String tail = stableTail(text);
    return tokens - count(tail) + count(tail + "\n");
  }

  /**
   * As in {@link #countWithNewline}, only the text from the last space that follows a non-whitespace
   * character can change, so only that tail is encoded. It is encoded followed by the separator and
   * a one-letter line, {@link #PROBE}: a letter after a line break always starts a piece, so the
   * probe is a piece (one token) of its own, and the pieces before it are those in front of any
   * {@code next} that starts with a character that is neither whitespace nor '/' (their only
   * look-ahead, r50k's and p50k's {@code \s+(?!\S)}, sees a non-space in both cases).
   */
  @Override
  public int countBeforeLine(String text, int tokens, String separator) {
    if (separator.isEmpty() || separator.charAt(separator.length() - 1) != '\n') {
      throw new IllegalArgumentException("the separator must end with a line break, got ["
          + separator + "]");
    }
    String tail = stableTail(text);
    return tokens - count(tail) + count(tail + separator + PROBE) - probeTokens;
  }

  /**
   * {@code text} from its last space that follows a non-whitespace character (all of it if there is
   * none). Such a space always starts a piece and no earlier piece looks past it, so whatever is
   * appended to {@code text}, the pieces before the tail stay the same.
   */
  private static String stableTail(String text) {
    int k = text.length() - 1;
    while (k > 0 && !(text.charAt(k) == ' ' && !Character.isWhitespace(text.charAt(k - 1)))) {
      k--;
    }
    return text.substring(Math.max(k, 0));
  }

  @Override
  public int[] tokenCharStarts(String text) {
    IntArrayList tokens = encoding.encodeOrdinary(text);
    int n = tokens.size();
    int[] starts = new int[n];
    // Walk the UTF-8 bytes of text alongside the token byte lengths.
    int charIndex = 0;
    long bytePos = 0; // byte offset where charIndex starts
    long tokenByte = 0; // byte offset where token i starts
    IntArrayList one = new IntArrayList(1);
    for (int i = 0; i < n; i++) {
      while (charIndex < text.length()) {
        int cp = text.codePointAt(charIndex);
        int cpBytes = utf8Length(cp);
        if (bytePos + cpBytes > tokenByte) {
          break;
        }
        bytePos += cpBytes;
        charIndex += Character.charCount(cp);
      }
      starts[i] = charIndex;
      tokenByte += tokenLength(tokens.get(i), one);
    }
    return starts;
  }

  private int tokenLength(int token, IntArrayList scratch) {
    int[] lengths = tokenBytes;
    if (token < lengths.length && lengths[token] != 0) {
      return lengths[token];
    }
    scratch.clear();
    scratch.add(token);
    int length = encoding.decodeBytes(scratch).length;
    if (token >= lengths.length) {
      lengths = java.util.Arrays.copyOf(lengths, Math.max(token + 1, 2 * lengths.length));
    }
    lengths[token] = length;
    tokenBytes = lengths;
    return length;
  }

  private static int utf8Length(int codePoint) {
    if (codePoint < 0x80) {
      return 1;
    } else if (codePoint < 0x800) {
      return 2;
    } else if (codePoint < 0x10000) {
      return 3;
    }
    return 4;
  }

  /** Used by tests to check {@link #tokenCharStarts} against decoding. */
  byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
