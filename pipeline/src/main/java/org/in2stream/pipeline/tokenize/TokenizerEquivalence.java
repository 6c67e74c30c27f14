package org.in2stream.pipeline.tokenize;

import java.util.Arrays;
import java.util.List;

/**
 * Checks that the Java encoding of an {@code hf:} tokenizer gives, text by text, the same token ids,
 * the same token char starts and the same counts as DJL's binding of the Rust library. Used by the
 * equivalence test and by {@code scripts/tokenizer-equivalence.sh} on 10 MB and more.
 */
public final class TokenizerEquivalence {
  /**
   * What a check found. {@code referenceTexts}: texts the Java path itself handed to DJL (characters
   * Java's tables do not know, non-NFC text for NFC tokenizers), so not a test of the Java path.
   */
  public record Result(String spec, long texts, long chars, long tokens, long mismatchedTexts,
      long referenceTexts, String firstMismatch) {
    @Override
    public String toString() {
      return spec + ": " + texts + " texts, " + chars + " chars, " + tokens + " tokens, "
          + mismatchedTexts + " mismatched texts, " + referenceTexts
          + " texts handed to DJL by the Java path"
          + (firstMismatch == null ? "" : "; first mismatch: " + firstMismatch);
    }
  }

  private TokenizerEquivalence() {}

  /** True if {@code tokenizer} is the Java encoding of a byte-level BPE {@code tokenizer.json}. */
  public static boolean isJavaPath(TextTokenizer tokenizer) {
    return tokenizer instanceof ByteLevelBpeTokenizer;
  }

  /**
   * A new Java-path instance for an {@code hf:} spec, not the shared one of {@link Tokenizers#load}:
   * its cache of merged pieces starts empty (benchmarks of the first pass over new text).
   */
  public static TextTokenizer newJavaPath(String spec) {
    try {
      return ByteLevelBpeLoader.load(spec, java.nio.file.Path.of(spec.substring(
          Tokenizers.HF.length())), () -> Tokenizers.loadThroughDjl(spec));
    } catch (ByteLevelBpeLoader.Unsupported e) {
      throw new IllegalStateException(spec + " does not take the Java path: " + e.getMessage());
    }
  }

  /** Compares {@link Tokenizers#load} with {@link Tokenizers#loadThroughDjl} on every text. */
  public static Result check(String spec, List<String> texts) {
    TextTokenizer fast = Tokenizers.load(spec);
    if (!(fast instanceof ByteLevelBpeTokenizer)) {
      throw new IllegalStateException(spec + " does not take the Java path");
    }
    ByteLevelBpeTokenizer java = (ByteLevelBpeTokenizer) fast;
    HfTokenizer djl = (HfTokenizer) Tokenizers.loadThroughDjl(spec);
    long chars = 0;
    long tokens = 0;
    long mismatched = 0;
    long referenced = 0;
    String first = null;
    for (int t = 0; t < texts.size(); t++) {
      String text = texts.get(t);
      chars += text.length();
      if (!java.isExact(text)) {
        referenced++;
      }
      int[] expectedIds = djl.ids(text);
      int[] ids = java.ids(text);
      int[] expectedStarts = djl.tokenCharStarts(text);
      int[] starts = java.tokenCharStarts(text);
      int count = java.count(text);
      tokens += expectedIds.length;
      String problem = null;
      if (!Arrays.equals(expectedIds, ids)) {
        problem = "ids differ at token " + Arrays.mismatch(expectedIds, ids) + ": "
            + around(text, expectedIds, ids, expectedStarts);
      } else if (!Arrays.equals(expectedStarts, starts)) {
        int i = Arrays.mismatch(expectedStarts, starts);
        problem = "char starts differ at token " + i + " (DJL "
            + (i < expectedStarts.length ? expectedStarts[i] : -1) + ", Java "
            + (i < starts.length ? starts[i] : -1) + ")";
      } else if (count != expectedIds.length) {
        problem = "count " + count + ", DJL " + expectedIds.length;
      }
      if (problem != null) {
        mismatched++;
        if (first == null) {
          first = "text " + t + ": " + problem;
        }
      }
    }
    return new Result(spec, texts.size(), chars, tokens, mismatched, referenced, first);
  }

  private static String around(String text, int[] expected, int[] got, int[] starts) {
    int i = Arrays.mismatch(expected, got);
    int from = i < starts.length ? starts[Math.max(0, i - 2)] : text.length();
    int to = Math.min(text.length(), from + 40);
    return "text [" + escape(text.substring(Math.max(0, Math.min(from, to)), to)) + "] DJL "
        + Arrays.toString(Arrays.copyOfRange(expected, Math.max(0, i - 2),
            Math.min(expected.length, i + 4))) + " Java "
        + Arrays.toString(Arrays.copyOfRange(got, Math.max(0, i - 2), Math.min(got.length, i + 4)));
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    s.codePoints().forEach(c -> {
      if (c < 0x20 || c > 0x7E) {
        sb.append(String.format("\\u{%X}", c));
      } else {
        sb.append((char) c);
      }
    });
    return sb.toString();
  }
}
