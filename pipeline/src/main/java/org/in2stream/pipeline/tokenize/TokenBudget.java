package org.in2stream.pipeline.tokenize;

/**
 * Whether a text holds more than a number of tokens, without tokenizing all of a huge text: the text
 * is counted in chunks cut at whitespace (so a chunk boundary rarely splits a token) and counting
 * stops as soon as the running total passes the limit. Work and memory are bounded by the limit plus
 * one chunk. The total is exact for byte-pair tokenizers that split at whitespace anyway, and within
 * one token per chunk otherwise: an admission check, not a length.
 */
public final class TokenBudget {
  /** Characters per chunk. */
  static final int CHUNK_CHARS = 16_384;

  private TokenBudget() {}

  /** Tokens of {@code text}, counted only until the count passes {@code limit}. */
  public static long countUpTo(TextTokenizer tokenizer, String text, long limit) {
    long total = 0;
    int start = 0;
    int n = text.length();
    while (start < n && total <= limit) {
      int end = Math.min(n, start + CHUNK_CHARS);
      if (end < n) {
        int ws = end;
        while (ws > start + CHUNK_CHARS / 2 && !Character.isWhitespace(text.charAt(ws))) {
          ws--;
        }
        end = ws > start + CHUNK_CHARS / 2 ? ws : end;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
          end--; // never split a surrogate pair
        }
      }
      total += tokenizer.count(text.substring(start, end));
      start = end;
    }
    return total;
  }

  /** True when {@code text} holds more than {@code limit} tokens. */
  public static boolean exceeds(TextTokenizer tokenizer, String text, long limit) {
    return countUpTo(tokenizer, text, limit) > limit;
  }
}
