package org.in2stream.pipeline;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/** Goodness-of-fit statistics for the seeded statistical tests (deterministic: fixed seeds). */
public final class Stats {
  /** Chi-square critical values at significance 0.001, by degrees of freedom (1..9). */
  private static final double[] CHI2_999 = {0, 10.828, 13.816, 16.266, 18.467, 20.515, 22.458,
      24.322, 26.124, 27.877};

  private Stats() {}

  /** Pearson's chi-square of observed counts against expected probabilities. */
  public static double chiSquare(long[] observed, double[] expectedShares) {
    long n = Arrays.stream(observed).sum();
    double chi2 = 0;
    for (int i = 0; i < observed.length; i++) {
      double e = n * expectedShares[i];
      chi2 += (observed[i] - e) * (observed[i] - e) / e;
    }
    return chi2;
  }

  /** The chi-square value that a true fit exceeds with probability 0.001. */
  public static double chiSquareCritical999(int degreesOfFreedom) {
    return CHI2_999[degreesOfFreedom];
  }

  /** Kolmogorov-Smirnov statistic of integer samples against a CDF. */
  public static double ks(int[] samples, DoubleUnaryOperator cdf) {
    int[] x = samples.clone();
    Arrays.sort(x);
    int n = x.length;
    double d = 0;
    for (int i = 0; i < n; i++) {
      if (i + 1 < n && x[i + 1] == x[i]) {
        continue; // evaluate the empirical CDF after the last of equal values
      }
      double empirical = (i + 1) / (double) n;
      d = Math.max(d, Math.abs(empirical - cdf.applyAsDouble(x[i])));
      // just below x[i]: the empirical CDF before this value, the CDF at x[i] - 1
      int below = lowerBound(x, x[i]);
      d = Math.max(d, Math.abs(below / (double) n - cdf.applyAsDouble(x[i] - 1)));
    }
    return d;
  }

  /** KS critical value at significance 0.01 for n samples (asymptotic; conservative for discrete). */
  public static double ksCritical99(int n) {
    return 1.628 / Math.sqrt(n);
  }

  private static int lowerBound(int[] sorted, int value) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
