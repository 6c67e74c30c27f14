package org.in2stream.pipeline.tokenize;

/**
 * A target-model tokenizer. Counts are always taken on the exact text that ends up in a record, never
 * summed from pieces, because byte-pair merges cross piece boundaries.
 */
public interface TextTokenizer {
  /** The spec this tokenizer was loaded from, e.g. {@code tiktoken:cl100k_base}; written into records. */
  String spec();

  /** Number of tokens of {@code text}. */
  int count(String text);

  /**
   * True if {@code count(a + "\n" + next) == countWithNewline(a, count(a)) + count(next)} for every
   * {@code a}: the tokenizer never merges across the end of a line break followed by {@code next}.
   * Lets the segmenter count a growing buffer of lines without re-encoding it. False (always
   * re-encode) unless a tokenizer knows.
   */
  default boolean additiveAfterLineBreak(String next) {
    return false;
  }

  /**
   * True if {@code count(left + right) == count(left) + count(right)}: no merge can cross this
   * boundary. False when unknown (the default), so callers re-encode.
   */
  default boolean additive(String left, String right) {
    return false;
  }

  /** Number of tokens of {@code text + "\n"}, given {@code tokens == count(text)}. */
  default int countWithNewline(String text, int tokens) {
    return count(text + "\n");
  }

  /**
   * For each token of {@code text}, the UTF-16 index of the character in which the token starts. A
   * token that starts inside a multi-byte character maps to that character. Strictly non-decreasing;
   * its length equals {@link #count(String)}.
   */
  int[] tokenCharStarts(String text);

  /**
   * The longest prefix of {@code text}, in characters, that holds at most {@code maxTokens} tokens and
   * ends on a token boundary that is also a character boundary.
   */
  default int prefixWithinTokens(String text, int maxTokens) {
    int[] starts = tokenCharStarts(text);
    if (starts.length <= maxTokens) {
      return text.length();
    }
    int end = starts[maxTokens];
    // starts[maxTokens] begins a token we drop; if a character straddles it, back off to the
    // start of the earlier token so that no character is cut.
    int k = maxTokens;
    while (k > 0 && starts[k] == starts[k - 1]) {
      k--;
      end = starts[k];
    }
    return end;
  }
}
