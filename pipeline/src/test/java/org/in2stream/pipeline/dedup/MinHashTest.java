package org.in2stream.pipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.in2stream.pipeline.TestTexts;
import org.junit.jupiter.api.Test;

/** MinHash and LSH on constructed sets whose true Jaccard similarity is known. */
class MinHashTest {
  /** Unigram shingles, so a text of distinct words is exactly the set of its words. */
  private static MinHash.Params unigrams(long seed) {
    return new MinHash.Params(1, 14, 8, seed);
  }

  /** Words w{from} .. w{to - 1}. */
  private static String words(int from, int to) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < to; i++) {
      sb.append('w').append(i).append(' ');
    }
    return sb.toString();
  }

  /** Two sets of 400 words overlapping in 400 - k: Jaccard (400 - k) / (400 + k). */
  private static double trueJaccard(int k) {
    return (400.0 - k) / (400.0 + k);
  }

  private static final int[] SHIFTS = {0, 44, 133, 240, 400};

  @Test
  void estimatedJaccardIsWithinToleranceOfTheTrueOne() {
    for (int k : SHIFTS) {
      double truth = trueJaccard(k);
      double sumFull = 0;
      double sumBits = 0;
      int seeds = 40;
      for (int seed = 1; seed <= seeds; seed++) {
        MinHash mh = new MinHash(unigrams(seed));
        long[] x = mh.signature(words(0, 400));
        long[] y = mh.signature(words(k, 400 + k));
        double full = MinHash.estimate(x, y);
        double bits = MinHash.estimate(MinHash.bbit(x), MinHash.bbit(y));
        // one estimate: 112 permutations, standard deviation <= 0.048; 4 of them as tolerance
        assertEquals(truth, full, 0.19, "full signature, J=" + truth + " seed " + seed);
        assertEquals(truth, bits, 0.20, "8-bit signature, J=" + truth + " seed " + seed);
        sumFull += full;
        sumBits += bits;
      }
      // the mean of 40 independent estimates: standard deviation <= 0.008
      assertEquals(truth, sumFull / seeds, 0.035, "mean of full estimates, J=" + truth);
      assertEquals(truth, sumBits / seeds, 0.035, "mean of 8-bit estimates, J=" + truth);
    }
  }

  @Test
  void identicalTextsHaveIdenticalSignaturesAndBandKeys() {
    MinHash mh = new MinHash(DedupSettings.DOCUMENT_MINHASH);
    String text = TestTexts.document(7, 6);
    long[] a = mh.signature(text);
    long[] b = new MinHash(DedupSettings.DOCUMENT_MINHASH).signature(text);
    assertArrayEquals(a, b, "fixed seeds: the same signature in another instance");
    assertArrayEquals(mh.bandKeys(a), mh.bandKeys(b));
    assertEquals(1.0, MinHash.estimate(MinHash.bbit(a), MinHash.bbit(b)));
    assertFalse(java.util.Arrays.equals(a,
        new MinHash(new MinHash.Params(5, 14, 8, 2L)).signature(text)), "another seed differs");
  }

  @Test
  void bandKeysOfDifferentBandsDifferEvenForEqualMinima() {
    MinHash mh = new MinHash(new MinHash.Params(1, 4, 2, 1L));
    long[] constant = new long[8];
    long[] keys = mh.bandKeys(constant);
    assertEquals(4, new HashSet<>(List.of(keys[0], keys[1], keys[2], keys[3])).size());
  }

  @Test
  void lshCandidateRateFollowsTheBandingCurve() {
    MinHash.Params p = DedupSettings.DOCUMENT_MINHASH;
    // datatrove's comment on its defaults: threshold (1/14)^(1/8) ~ 0.72, P(candidate | 0.8) = 0.924
    assertEquals(0.719, p.lshThreshold(), 0.001);
    assertEquals(0.924, p.candidateProbability(0.8), 0.001);
    int k = 44; // J = 0.8018
    int trials = 150;
    int candidates = 0;
    for (int seed = 1; seed <= trials; seed++) {
      MinHash mh = new MinHash(new MinHash.Params(1, 14, 8, seed));
      long[] x = mh.bandKeys(mh.signature(words(0, 400)));
      long[] y = mh.bandKeys(mh.signature(words(k, 400 + k)));
      boolean shared = false;
      for (int b = 0; b < x.length; b++) {
        shared |= x[b] == y[b];
      }
      candidates += shared ? 1 : 0;
    }
    double expected = p.candidateProbability(trueJaccard(k));
    // binomial standard deviation at 150 trials ~ 0.02
    assertEquals(expected, (double) candidates / trials, 0.08);
  }

  @Test
  void permutationIsExactModuloTheMersennePrime() {
    BigInteger prime = BigInteger.ONE.shiftLeft(61).subtract(BigInteger.ONE);
    SplittableRandom rng = new SplittableRandom(3);
    long p = prime.longValue();
    for (int i = 0; i < 10_000; i++) {
      long a = rng.nextLong(1, p);
      long b = rng.nextLong(0, p);
      long x = rng.nextLong(0, p);
      long expected = BigInteger.valueOf(a).multiply(BigInteger.valueOf(x))
          .add(BigInteger.valueOf(b)).mod(prime).longValue();
      assertEquals(expected, MinHash.permute(a, b, x));
    }
    assertEquals(BigInteger.valueOf(p - 1).multiply(BigInteger.valueOf(p - 1))
        .add(BigInteger.valueOf(p - 1)).mod(prime).longValue(), MinHash.permute(p - 1, p - 1, p - 1));
  }

  @Test
  void shortTextsGetShorterShingles() {
    assertEquals(1, MinHash.shingleWidth(3, 5));
    assertEquals(2, MinHash.shingleWidth(8, 2));
    assertEquals(1, MinHash.shingleWidth(7, 2));
    assertEquals(5, MinHash.shingleWidth(20, 5));
    assertEquals(5, MinHash.shingleWidth(5000, 5));
    assertEquals(List.of("what year", "year was", "was it"),
        MinHash.shingles("What YEAR was it, then, in the town?", 2).subList(0, 3),
        "8 words: bigrams, lower-cased, punctuation dropped");
    assertEquals(List.of("what", "year", "was", "it"), MinHash.shingles("What year was it?", 2),
        "4 words: unigrams");
    assertEquals(List.of("caf\u00e9", "no", "1"), MinHash.words("Caf\u00e9! No. 1"));
    assertEquals(List.of("caf\u00e9"), MinHash.words("Cafe\u0301"), "NFKC joins a combining accent");
  }

  @Test
  void documentThresholdCatchesAChangedFooterButNotASharedParagraph() {
    MinHash mh = new MinHash(DedupSettings.DOCUMENT_MINHASH);
    String body = TestTexts.document(11, 10);
    String page = "Published 2 November 2026, 09:14\n" + body
        + "\nCopyright 2026 Example News. All rights reserved. Contact us.";
    String recrawl = "Published 3 November 2026, 17:40 (updated)\n" + body
        + "\nCopyright 2026 Example News Group. Cookie settings. Subscribe to our newsletter.";
    List<String> otherParagraphs = new ArrayList<>(List.of(TestTexts.document(12, 10).split("\n")));
    otherParagraphs.set(4, body.split("\n")[4]);
    String sharesOneParagraph = String.join("\n", otherParagraphs);

    double recrawlJ = MinHash.estimate(MinHash.bbit(mh.signature(page)),
        MinHash.bbit(mh.signature(recrawl)));
    double sharedJ = MinHash.estimate(MinHash.bbit(mh.signature(page)),
        MinHash.bbit(mh.signature(sharesOneParagraph)));
    double trueRecrawl = jaccard(MinHash.shingles(page, 5), MinHash.shingles(recrawl, 5));
    double trueShared = jaccard(MinHash.shingles(page, 5), MinHash.shingles(sharesOneParagraph, 5));
    assertTrue(trueRecrawl > 0.85, "the re-crawl keeps most shingles: " + trueRecrawl);
    assertTrue(trueShared < 0.2, "one shared paragraph of ten: " + trueShared);
    assertTrue(recrawlJ >= DedupSettings.DEFAULT_NEAR_THRESHOLD, "caught: " + recrawlJ);
    assertTrue(sharedJ < DedupSettings.DEFAULT_NEAR_THRESHOLD, "not caught: " + sharedJ);
  }

  private static double jaccard(List<String> a, List<String> b) {
    Set<String> inter = new HashSet<>(a);
    inter.retainAll(new HashSet<>(b));
    Set<String> union = new HashSet<>(a);
    union.addAll(b);
    return (double) inter.size() / union.size();
  }
}
