package org.in2stream.pipeline.assemble;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where the target context length of each example comes from, in tokens of the target tokenizer.
 *
 * <ul>
 *   <li>{@code uniform}: every integer in [min, max] equally likely (the IN2 recipe: 4K to 32K).
 *   <li>{@code buckets:4096,8192,32768}: one of the listed lengths, equally likely; weights may be
 *       given as {@code buckets:4096=1,32768=3}.
 * </ul>
 *
 * Draws come from the caller's seeded generator, so the same example always gets the same length.
 */
public final class LengthDistribution implements Serializable {
  private final String spec;
  private final int min;
  private final int max;
  private final int[] buckets; // empty for uniform
  private final double[] cumulative; // cumulative bucket probabilities, last = 1

  private LengthDistribution(String spec, int min, int max, int[] buckets, double[] cumulative) {
    this.spec = spec;
    this.min = min;
    this.max = max;
    this.buckets = buckets;
    this.cumulative = cumulative;
  }

  /** Uniform over the integers of [min, max]. */
  public static LengthDistribution uniform(int min, int max) {
    if (min < 1 || min > max) {
      throw new IllegalArgumentException("need 1 <= min <= max, got " + min + " and " + max);
    }
    return new LengthDistribution("uniform:" + min + "-" + max, min, max, new int[0],
        new double[0]);
  }

  /**
   * Parses {@code --lengthDistribution}: {@code uniform} (between {@code min} and {@code max}) or
   * {@code buckets:L1[=W1],L2[=W2],...}.
   */
  public static LengthDistribution parse(String spec, int min, int max) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    if (s.equals("uniform")) {
      return uniform(min, max);
    }
    if (!s.startsWith("buckets:")) {
      throw new IllegalArgumentException("unknown --lengthDistribution=" + spec
          + "; use uniform or buckets:4096,8192,16384,32768 (optionally with =weight)");
    }
    List<int[]> lengths = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    for (String part : s.substring("buckets:".length()).split(",")) {
      String[] kv = part.trim().split("=");
      try {
        int length = Integer.parseInt(kv[0].trim());
        double weight = kv.length > 1 ? Double.parseDouble(kv[1].trim()) : 1.0;
        if (length < 1 || !(weight > 0) || kv.length > 2) {
          throw new NumberFormatException();
        }
        lengths.add(new int[] {length});
        weights.add(weight);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--lengthDistribution=" + spec + ": '" + part
            + "' is not LENGTH or LENGTH=WEIGHT with a positive length and weight");
      }
    }
    int[] b = new int[lengths.size()];
    double[] cum = new double[b.length];
    double total = weights.stream().mapToDouble(Double::doubleValue).sum();
    double acc = 0;
    int lo = Integer.MAX_VALUE;
    int hi = 0;
    for (int i = 0; i < b.length; i++) {
      b[i] = lengths.get(i)[0];
      acc += weights.get(i) / total;
      cum[i] = i == b.length - 1 ? 1.0 : acc;
      lo = Math.min(lo, b[i]);
      hi = Math.max(hi, b[i]);
    }
    return new LengthDistribution("buckets:" + s.substring("buckets:".length()), lo, hi, b, cum);
  }

  /** One target length. */
  public int sample(SplittableRandom rng) {
    if (buckets.length == 0) {
      return min + rng.nextInt(max - min + 1);
    }
    double u = rng.nextDouble();
    for (int i = 0; i < buckets.length; i++) {
      if (u < cumulative[i]) {
        return buckets[i];
      }
    }
    return buckets[buckets.length - 1];
  }

  /** Probability of drawing exactly {@code length}. */
  public double probability(int length) {
    if (buckets.length == 0) {
      return length < min || length > max ? 0 : 1.0 / (max - min + 1);
    }
    double p = 0;
    for (int i = 0; i < buckets.length; i++) {
      if (buckets[i] == length) {
        p += cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
      }
    }
    return p;
  }

  /** P(length <= x). */
  public double cdf(double x) {
    if (buckets.length == 0) {
      if (x < min) {
        return 0;
      }
      return Math.min(1.0, (Math.floor(x) - min + 1) / (max - min + 1));
    }
    double p = 0;
    for (int i = 0; i < buckets.length; i++) {
      if (buckets[i] <= x) {
        p += cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
      }
    }
    return p;
  }

  public boolean isUniform() {
    return buckets.length == 0;
  }

  /** The distinct bucket lengths, in the order given (empty for uniform). */
  public int[] buckets() {
    return buckets.clone();
  }

  /** Smallest length this distribution can draw. */
  public int min() {
    return min;
  }

  /** Largest length this distribution can draw. */
  public int max() {
    return max;
  }

  /** Canonical description, e.g. {@code uniform:4096-32768}. */
  @Override
  public String toString() {
    return spec;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LengthDistribution d && d.spec.equals(spec);
  }

  @Override
  public int hashCode() {
    return spec.hashCode();
  }
}
