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
 */
public record Mixture(double fineGrained, double multiSegment, double shortContext)
    implements Serializable {
  /** The paper's 1.1M : 300K : 150K. */
  public static final Mixture PAPER = new Mixture(1_100_000, 300_000, 150_000);

  public Mixture {
    if (!(fineGrained >= 0 && multiSegment >= 0 && shortContext >= 0)
        || !(fineGrained + multiSegment > 0) || Double.isInfinite(fineGrained + multiSegment
        + shortContext)) {
      throw new IllegalArgumentException("--mixture needs finite weights >= 0 with fine-grained "
          + "+ multi-segment > 0 (got " + fineGrained + ":" + multiSegment + ":" + shortContext
          + ")");
    }
  }

  /** Parses {@code FG:MS:SC}, each a number with an optional K or M suffix, e.g. 1.1M:300K:150K. */
  public static Mixture parse(String spec) {
    String[] parts = spec == null ? new String[0] : spec.trim().split(":");
    if (parts.length != 3) {
      throw new IllegalArgumentException("--mixture=" + spec + " must be FINE:MULTI:SHORT, "
          + "e.g. 1.1M:300K:150K");
    }
    try {
      return new Mixture(number(parts[0]), number(parts[1]), number(parts[2]));
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
    return fineGrained + multiSegment + shortContext;
  }

  /** Chance that a question slot of a multi-segment-capable document is multi-segment. */
  public double multiSegmentShare() {
    return multiSegment / (fineGrained + multiSegment);
  }

  /** Chance that a QA pair is kept as a short-context example. */
  public double shortContextShare() {
    return shortContext / total();
  }

  /** Expected shares of FINE_GRAINED, MULTI_SEGMENT, SHORT_CONTEXT examples, summing to 1. */
  public double[] expectedShares() {
    return new double[] {fineGrained / total(), multiSegment / total(), shortContext / total()};
  }

  @Override
  public String toString() {
    return fmt(fineGrained) + ":" + fmt(multiSegment) + ":" + fmt(shortContext);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
