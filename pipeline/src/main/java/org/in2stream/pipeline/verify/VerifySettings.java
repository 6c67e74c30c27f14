package org.in2stream.pipeline.verify;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The verification chain's settings, checked once.
 *
 * @param level how much runs ({@code --verify})
 * @param qaAttempts responses asked per question slot before the slot becomes a dead letter
 *     ({@code --qaAttempts}); each attempt has its own sampling seed and cache key
 * @param maxQuestionOverlap drop a QA pair whose question shares more than this share of its content
 *     words with the evidence ({@code --maxQuestionOverlap}); 1.0 = off
 * @param closedBookThreshold a closed-book reply whose token F1 with the answer reaches this (or that
 *     matches it exactly) means the question is answerable without the context
 * @param dropClosedBook dead-letter closed-book answerable pairs (default); false keeps them with
 *     their score
 * @param ablationThreshold an ablated reply whose token F1 with the answer reaches this means the
 *     removed piece was not needed
 */
public record VerifySettings(Level level, int qaAttempts, double maxQuestionOverlap,
    double closedBookThreshold, boolean dropClosedBook, double ablationThreshold)
    implements Serializable {

  /** Token F1 from which a closed-book reply counts as the answer; see docs/verification.md. */
  public static final double DEFAULT_CLOSED_BOOK_F1 = 0.5;
  /** Token F1 from which an ablated reply counts as the answer; see docs/verification.md. */
  public static final double DEFAULT_ABLATION_F1 = 0.5;

  public VerifySettings {
    List<String> errors = new ArrayList<>();
    if (level == null) {
      errors.add("--verify is required (none, lexical or full)");
    }
    if (qaAttempts < 1 || qaAttempts > 10) {
      errors.add("--qaAttempts must be in [1, 10] (got " + qaAttempts + ")");
    }
    if (!(maxQuestionOverlap > 0 && maxQuestionOverlap <= 1)) {
      errors.add("--maxQuestionOverlap must be in (0, 1] (got " + maxQuestionOverlap + ")");
    }
    if (!(closedBookThreshold > 0 && closedBookThreshold <= 1)
        || !(ablationThreshold > 0 && ablationThreshold <= 1)) {
      errors.add("the closed-book and ablation thresholds must be in (0, 1]");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid verification settings:\n  - "
          + String.join("\n  - ", errors));
    }
  }

  public static VerifySettings of(Level level, int qaAttempts, double maxQuestionOverlap) {
    return new VerifySettings(level, qaAttempts, maxQuestionOverlap, DEFAULT_CLOSED_BOOK_F1, true,
        DEFAULT_ABLATION_F1);
  }

  /** {@code --verify=auto}: full with a model to ask, lexical without one. */
  public static Level defaultLevel(boolean haveModel) {
    return haveModel ? Level.FULL : Level.LEXICAL;
  }
}
