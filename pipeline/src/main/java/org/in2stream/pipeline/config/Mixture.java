package org.in2stream.pipeline.config;

import java.io.Serializable;
import java.util.Locale;

/**
 * The IN2 mixture of the three kinds, as weights: fine-grained : multi-segment : short-context. The
 * paper's is 1.1M : 300K : 150K.
 *
 * <p>How it is realised, deterministically: each question slot of a document is multi-segment with
 * probability {@link #multiSegmentShare()} (if the document has two or more segments and has no
 * multi-segment question yet), else fine-grained; then every QA pair is kept as a short-context example
 * with probability {@link #shortContextShare()}. Both draws are keyed by stable ids. Over documents of
 * two or more segments the expected shares are exactly the weights, normalised.
 *
 * <p>Beyond the paper, an optional fourth weight gives UNANSWERABLE examples ({@code FG:MS:SC:UN},
 * 0 when left out): a QA pair not kept as short-context becomes unanswerable with probability
 * {@link #unanswerableShare()}, a third draw keyed by its request key (docs/beyond-in2.md).
 */
public record Mixture(double fineGrained, double multiSegment, double shortContext,
    double unanswerable) implements Serializable {
  /** The paper's 1.1M : 300K : 150K. */
  public static final Mixture PAPER = new Mixture(1_100_000, 300_000, 150_000);

  public Mixture {
    if (!(fineGrained >= 0 && multiSegment >= 0 && shortContext >= 0 && unanswerable >= 0)
        || !(fineGrained + multiSegment > 0) || Double.isInfinite(fineGrained + multiSegment
        + shortContext + unanswerable)) {
      throw new IllegalArgumentException("--mixture needs finite weights >= 0 with fine-grained "
          + "+ multi-segment > 0 (got " + fineGrained + ":" + multiSegment + ":" + shortContext
          + (unanswerable > 0 ? ":" + unanswerable : "") + ")");
    }
  }

  /** The paper's three kinds, no unanswerable examples. */
  public Mixture(double fineGrained, double multiSegment, double shortContext) {
    this(fineGrained, multiSegment, shortContext, 0);
  }

  /**
   * Parses {@code FG:MS:SC} or {@code FG:MS:SC:UN}, each a number with an optional K or M suffix,
   * e.g. 1.1M:300K:150K.
   */
  public static Mixture parse(String spec) {
    String[] parts = spec == null ? new String[0] : spec.trim().split(":");
    if (parts.length != 3 && parts.length != 4) {
      throw new IllegalArgumentException("--mixture=" + spec + " must be FINE:MULTI:SHORT, "
          + "e.g. 1.1M:300K:150K, or FINE:MULTI:SHORT:UNANSWERABLE");
    }
    try {
      return new Mixture(number(parts[0]), number(parts[1]), number(parts[2]),
          parts.length == 4 ? number(parts[3]) : 0);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--mixture=" + spec + ": not a number: " + e.getMessage());
    }
  }

  private static double number(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT);
    double scale = 1;
    if (t.endsWith("K")) {
      scale = 1e3;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("M")) {
      scale = 1e6;
      t = t.substring(0, t.length() - 1);
    }
    return Double.parseDouble(t) * scale;
  }

  private double total() {
    return fineGrained + multiSegment + shortContext + unanswerable;
  }

  /** Chance that a question slot of a multi-segment-capable document is multi-segment. */
  public double multiSegmentShare() {
    return multiSegment / (fineGrained + multiSegment);
  }

  /** Chance that a QA pair is kept as a short-context example. */
  public double shortContextShare() {
    return shortContext / total();
  }

  /**
   * Chance that a QA pair not kept as short-context becomes UNANSWERABLE, so that its expected share
   * of all examples is the weight's.
   */
  public double unanswerableShare() {
    return unanswerable / (fineGrained + multiSegment + unanswerable);
  }

  /**
   * Expected shares of FINE_GRAINED, MULTI_SEGMENT, SHORT_CONTEXT (and UNANSWERABLE, when its
   * weight is above 0) examples, summing to 1.
   */
  public double[] expectedShares() {
    if (unanswerable > 0) {
      return new double[] {fineGrained / total(), multiSegment / total(), shortContext / total(),
          unanswerable / total()};
    }
    return new double[] {fineGrained / total(), multiSegment / total(), shortContext / total()};
  }

  @Override
  public String toString() {
    return fmt(fineGrained) + ":" + fmt(multiSegment) + ":" + fmt(shortContext)
        + (unanswerable > 0 ? ":" + fmt(unanswerable) : "");
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
