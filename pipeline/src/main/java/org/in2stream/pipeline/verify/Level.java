package org.in2stream.pipeline.verify;

import java.util.Locale;

/** How much of the verification chain runs ({@code --verify}). */
public enum Level {
  /** No check beyond the response's shape: quotes are not required. */
  NONE,
  /** The checks that need no model call: evidence, grounding, piece necessity, literal overlap. */
  LEXICAL,
  /** Lexical checks, then closed-book and (multi-segment) ablation calls to the verifier model. */
  FULL;

  public static Level parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("unknown --verify=" + value + "; use none, lexical or full");
    }
  }
}
