package org.in2stream.pipeline.tokenize;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.charset.StandardCharsets;

/** tiktoken encodings (cl100k_base, o200k_base, ...) through jtokkit. Thread-safe. */
final class TiktokenTokenizer implements TextTokenizer {
  private final String spec;
  private final Encoding encoding;
  private final int probeTokens;
  /**
   * UTF-8 length of each token id's bytes, filled on first use (0 = not yet known; no token is
   * empty). Racing writers store the same value, so no lock is needed.
   */
  private volatile int[] tokenBytes = new int[0];

  TiktokenTokenizer(String spec, Encoding encoding) {
    this.spec = spec;
    this.encoding = encoding;
    this.probeTokens = encoding.countTokensOrdinary(LineBreaks.PROBE);
  }

  @Override
  public String spec() {
    return spec;
  }

  @Override
  public int count(String text) {
    return encoding.countTokensOrdinary(text);
  }

  /** See {@link LineBreaks#startsAfterLineBreak}: holds for every tiktoken encoding. */
  @Override
  public boolean additiveAfterLineBreak(String next) {
    return LineBreaks.startsAfterLineBreak(next);
  }

  /** See {@link LineBreaks#additiveBeforeSpace}. */
  @Override
  public boolean additive(String left, String right) {
    return LineBreaks.additiveBeforeSpace(left, right);
  }

  /**
   * Only the last piece of {@code text} can change when a line break is appended (a punctuation
   * piece takes trailing line breaks): see {@link LineBreaks#withNewline}.
   */
  @Override
  public int countWithNewline(String text, int tokens) {
    return LineBreaks.withNewline(this, text, tokens);
  }

  /** See {@link LineBreaks#beforeLine}. */
  @Override
  public int countBeforeLine(String text, int tokens, String separator) {
    return LineBreaks.beforeLine(this, probeTokens, text, tokens, separator);
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
