package org.in2stream.pipeline.assemble;

import java.util.regex.Pattern;
import org.in2stream.pipeline.util.Hashing;

/**
 * Text compared after whitespace normalisation: every run of whitespace becomes one space, and the
 * ends are trimmed. Two segments that differ only in line breaks, indentation or doubled spaces are
 * the same text here. Used for the boilerplate count (a hash of the normalised text) and for the rule
 * that a filler never repeats, contains or sits inside an answer segment.
 */
public final class RepeatedText {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private RepeatedText() {}

  /** The text with whitespace runs collapsed to one space and trimmed. */
  public static String normalise(String text) {
    return WHITESPACE.matcher(text).replaceAll(" ").trim();
  }

  /** A 64-bit hash of the normalised text: the key of the boilerplate count. */
  public static long hash(String text) {
    return Hashing.sha256Long("segment-text", normalise(text));
  }

  /**
   * True if the two normalised texts are equal or one contains the other: a filler with such a text
   * would show (part of) the answer segment twice, or hide it inside another document's text.
   */
  public static boolean overlaps(String normalisedA, String normalisedB) {
    if (normalisedA.length() >= normalisedB.length()) {
      return normalisedA.contains(normalisedB);
    }
    return normalisedB.contains(normalisedA);
  }
}
