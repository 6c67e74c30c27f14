package org.in2stream.pipeline.tokenize;

/**
 * A target-model tokenizer. Counts are of the exact text that ends up in a record. Byte-pair merges
 * cross piece boundaries, so pieces' counts are summed only where a tokenizer guarantees that the sum
 * is the count ({@link #additiveAfterLineBreak}, {@link #additive}); otherwise the text is encoded.
 */
public interface TextTokenizer {
  /** The spec this tokenizer was loaded from, e.g. {@code tiktoken:cl100k_base}; written into records. */
  String spec();

  /** Number of tokens of {@code text}. */
  int count(String text);

  /**
   * True if {@code count(a + "\n" + next) == countWithNewline(a, count(a)) + count(next)} for every
   * {@code a} that does not end in whitespace: the tokenizer never merges across the end of a line
   * break followed by {@code next}. (Not for every {@code a}: r50k and p50k split a run of line
   * breaks one way at the end of a text and another way before a following line; see {@link
   * #countBeforeLine}.) A tokenizer may look at how {@code next} begins only, so a true answer also
   * holds for every text that begins with {@code next}. Lets the segmenter count a growing buffer of
   * lines, and the assembler a context of joined segments, without re-encoding them. False (always
   * re-encode) unless a tokenizer knows.
   */
  default boolean additiveAfterLineBreak(String next) {
    return false;
  }

  /**
   * The tokens that {@code text + separator} takes at the start of {@code text + separator + next},
   * for every {@code next} with {@code additiveAfterLineBreak(next)}, given {@code tokens ==
   * count(text)}; {@code separator} ends with {@code '\n'}. So {@code count(text + separator +
   * next) == countBeforeLine(text, count(text), separator) + count(next)}, for any {@code text}
   * (also one that ends in whitespace). Not always {@code count(text + separator)}: r50k counts
   * {@code "x.\n\n"} as 3 tokens but {@code "x.\n\nHello"} as 5.
   *
   * @throws UnsupportedOperationException from a tokenizer whose {@link #additiveAfterLineBreak}
   *     is never true (the default), for which nothing can be summed; callers ask that first
   */
  default int countBeforeLine(String text, int tokens, String separator) {
    throw new UnsupportedOperationException(spec() + " does not count text before a line apart");
  }

  /**
   * The char starts of the tokens that {@link #countBeforeLine} counts: those that {@code text +
   * separator} takes at the start of {@code text + separator + next}, for every {@code next} with
   * {@code additiveAfterLineBreak(next)}. Its length is {@code countBeforeLine(text, count(text),
   * separator)}; indexes are into {@code text + separator}.
   *
   * @throws UnsupportedOperationException where {@link #countBeforeLine} is
   */
  default int[] tokenCharStartsBeforeLine(String text, String separator) {
    return LineBreaks.startsBeforeLine(this, text, separator);
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
