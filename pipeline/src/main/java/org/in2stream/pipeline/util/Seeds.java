package org.in2stream.pipeline.util;

import java.util.SplittableRandom;

/**
 * The only source of randomness in the pipeline: a generator seeded by (global seed, purpose, stable
 * id). Never the clock, a worker, a bundle or arrival order, so a replay draws the same numbers.
 */
public final class Seeds {
  private Seeds() {}

  /** A generator for one decision about one entity, e.g. {@code rng(seed, "assemble", exampleId)}. */
  public static SplittableRandom rng(long seed, String purpose, String stableId) {
    return new SplittableRandom(Hashing.sha256Long(Long.toString(seed), purpose, stableId));
  }

  /** A uniform double in [0, 1) for a single yes/no draw keyed the same way as {@link #rng}. */
  public static double uniform(long seed, String purpose, String stableId) {
    return rng(seed, purpose, stableId).nextDouble();
  }
}
