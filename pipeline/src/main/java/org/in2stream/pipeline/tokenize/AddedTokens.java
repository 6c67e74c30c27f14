package org.in2stream.pipeline.tokenize;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The added tokens of a {@code tokenizer.json} ({@code <|begin_of_text|>}, {@code <|im_start|>},
 * ...) found in a text as the Rust library finds them: leftmost match first, the longest one where
 * several start at the same place, matches never overlapping. The text between matches goes to the
 * pre-tokenizer; a match is one token. Only tokens matched on the raw text (not normalized, no
 * stripping, not single-word) are held here; the loader sends the others to the reference path.
 */
final class AddedTokens {
  /** A match: token {@code id} over chars [start, end). */
  interface Sink {
    void text(int start, int end);

    void token(int id, int start, int end);
  }

  private final String[] contents; // by first char, then longest first
  private final int[] ids;
  private final boolean[] firstChars = new boolean[Character.MAX_VALUE + 1];
  private final boolean anyWhitespace;

  AddedTokens(List<String> contents, List<Integer> ids) {
    Integer[] order = new Integer[contents.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
      if (contents.get(i).isEmpty()) {
        throw new IllegalArgumentException("an added token is empty");
      }
    }
    Arrays.sort(order, Comparator.<Integer>comparingInt(i -> contents.get(i).charAt(0))
        .thenComparing(i -> -contents.get(i).length()));
    this.contents = new String[order.length];
    this.ids = new int[order.length];
    boolean ws = false;
    for (int k = 0; k < order.length; k++) {
      this.contents[k] = contents.get(order[k]);
      this.ids[k] = ids.get(order[k]);
      firstChars[this.contents[k].charAt(0)] = true;
      ws |= this.contents[k].chars().anyMatch(c -> Character.isWhitespace(c)
          || Character.isSpaceChar(c) || PieceSplitter.Cl100kFamily.isWhiteSpace(c));
    }
    this.anyWhitespace = ws;
  }

  /** True if some added token contains a whitespace character (they can then span a line break). */
  boolean anyWhitespace() {
    return anyWhitespace;
  }

  int size() {
    return contents.length;
  }

  /** Cuts {@code text} into stretches of ordinary text and added tokens, in order. */
  void split(String text, Sink sink) {
    int n = text.length();
    int at = 0;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (!firstChars[c]) {
        continue;
      }
      int k = match(text, i);
      if (k < 0) {
        continue;
      }
      if (i > at) {
        sink.text(at, i);
      }
      int end = i + contents[k].length();
      sink.token(ids[k], i, end);
      at = end;
      i = end - 1;
    }
    if (at < n) {
      sink.text(at, n);
    }
  }

  /** The longest added token at {@code i}, or -1. */
  private int match(String text, int i) {
    char c = text.charAt(i);
    int lo = 0;
    int hi = contents.length - 1;
    while (lo < hi) { // first entry whose first char is c
      int mid = (lo + hi) >>> 1;
      if (contents[mid].charAt(0) < c) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (int k = lo; k < contents.length && contents[k].charAt(0) == c; k++) {
      if (text.startsWith(contents[k], i)) {
        return k;
      }
    }
    return -1;
  }
}
