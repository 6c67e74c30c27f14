package org.in2stream.pipeline.tokenize;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.charset.StandardCharsets;

/** tiktoken encodings (cl100k_base, o200k_base, ...) through jtokkit. Thread-safe. */
final class TiktokenTokenizer implements TextTokenizer {
  private final String spec;
  private final Encoding encoding;

  TiktokenTokenizer(String spec, Encoding encoding) {
    this.spec = spec;
    this.encoding = encoding;
  }

  @Override
  public String spec() {
    return spec;
  }

  @Override
  public int count(String text) {
    return encoding.countTokensOrdinary(text);
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
      one.clear();
      one.add(tokens.get(i));
      tokenByte += encoding.decodeBytes(one).length;
    }
    return starts;
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
