package org.in2stream.pipeline.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.in2stream.pipeline.Stats;
import org.junit.jupiter.api.Test;

class LengthDistributionTest {

  @Test
  void uniformDrawsPassAKolmogorovSmirnovTest() {
    LengthDistribution d = LengthDistribution.parse("uniform", 4096, 32768);
    SplittableRandom rng = new SplittableRandom(7);
    int[] draws = new int[20_000];
    for (int i = 0; i < draws.length; i++) {
      draws[i] = d.sample(rng);
      assertTrue(draws[i] >= 4096 && draws[i] <= 32768);
    }
    double ks = Stats.ks(draws, d::cdf);
    assertTrue(ks < Stats.ksCritical99(draws.length), "KS " + ks);
    // and the test has power: the same draws are not uniform on a narrower range
    LengthDistribution other = LengthDistribution.uniform(4096, 30000);
    assertTrue(Stats.ks(draws, other::cdf) > Stats.ksCritical99(draws.length));
  }

  @Test
  void weightedBucketsPassAChiSquareTest() {
    LengthDistribution d = LengthDistribution.parse("buckets:8192=1, 16384=2, 32768=1", 1, 1);
    assertEquals(8192, d.min());
    assertEquals(32768, d.max());
    assertEquals(0.5, d.probability(16384), 1e-12);
    SplittableRandom rng = new SplittableRandom(8);
    long[] counts = new long[3];
    int[] lengths = d.buckets();
    for (int i = 0; i < 12_000; i++) {
      int x = d.sample(rng);
      for (int k = 0; k < lengths.length; k++) {
        if (lengths[k] == x) {
          counts[k]++;
        }
      }
    }
    assertEquals(12_000, counts[0] + counts[1] + counts[2], "only bucket lengths are drawn");
    double chi2 = Stats.chiSquare(counts, new double[] {0.25, 0.5, 0.25});
    assertTrue(chi2 < Stats.chiSquareCritical999(2), "chi2 " + chi2);
  }

  @Test
  void badSpecsNameTheOption() {
    for (String bad : new String[] {"normal", "buckets:", "buckets:4096,x", "buckets:4096=0",
        "buckets:-5"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LengthDistribution.parse(bad, 4096, 32768), bad);
      assertTrue(e.getMessage().contains("--lengthDistribution"), e.getMessage());
    }
  }
}
