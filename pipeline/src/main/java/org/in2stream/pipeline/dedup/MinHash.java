package org.in2stream.pipeline.dedup;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MinHash signatures over word shingles, and the LSH band keys made from them. Plain Java, no Beam.
 *
 * <p>Text is NFKC-normalised and lower-cased, and its words are the runs of letters and digits.
 * A shingle is {@code width} consecutive words, with {@code width = clamp(words / 4, 1,
 * maxShingleWords)}: a long text gets the configured width (5 for documents, as datatrove's
 * {@code MinhashConfig.n_grams}), a short one gets shorter shingles so that one changed word does
 * not change most of its shingles. Each shingle is hashed once with Guava's seeded murmur3 (64 bits
 * kept, reduced modulo the Mersenne prime 2^61-1); permutation {@code i} is the universal hash
 * {@code (a_i * x + b_i) mod (2^61-1)} with {@code a_i, b_i} drawn from a {@link SplittableRandom}
 * seeded by {@link Params#seed()}, so the permutations are the same on every worker and every replay.
 *
 * <p>State keeps a b-bit signature (Li and König, "b-Bit Minwise Hashing", WWW 2010): the lowest 8
 * bits of each minimum. Two different minima agree in those bits with probability 2^-8, so the share
 * of agreeing positions {@code m} estimates {@code J + (1 - J) / 256}; {@link #estimate} inverts that.
 */
public final class MinHash implements Serializable {
  private static final long P = (1L << 61) - 1;
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
  /** Bits kept per minimum in state. */
  public static final int BITS = 8;
  private static final double CHANCE = 1.0 / (1 << BITS);

  /**
   * @param maxShingleWords the shingle width for texts of at least {@code 4 * maxShingleWords} words
   * @param bands LSH bands
   * @param rows minima per band; the signature has {@code bands * rows} minima
   * @param seed fixes the shingle hash and the permutations
   */
  public record Params(int maxShingleWords, int bands, int rows, long seed) implements Serializable {
    public Params {
      if (maxShingleWords < 1 || bands < 1 || rows < 1) {
        throw new IllegalArgumentException("need maxShingleWords, bands, rows >= 1 (got "
            + maxShingleWords + ", " + bands + ", " + rows + ")");
      }
    }

    public int permutations() {
      return bands * rows;
    }

    /** The similarity at which a pair becomes a candidate with probability about 1/2. */
    public double lshThreshold() {
      return Math.pow(1.0 / bands, 1.0 / rows);
    }

    /** The probability that a pair of Jaccard similarity {@code j} shares at least one band. */
    public double candidateProbability(double j) {
      return 1 - Math.pow(1 - Math.pow(j, rows), bands);
    }
  }

  private final Params params;
  private final long[] a;
  private final long[] b;
  private transient HashFunction shingleHash;
  private transient HashFunction bandHash;

  public MinHash(Params params) {
    this.params = params;
    int n = params.permutations();
    a = new long[n];
    b = new long[n];
    SplittableRandom random = new SplittableRandom(params.seed());
    for (int i = 0; i < n; i++) {
      a[i] = random.nextLong(1, P);
      b[i] = random.nextLong(0, P);
    }
  }

  public Params params() {
    return params;
  }

  /** The words of a text after normalisation. */
  public static List<String> words(String text) {
    String norm = Normalizer.normalize(text == null ? "" : text, Normalizer.Form.NFKC)
        .toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(norm);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** The shingle width for a text of {@code words} words. */
  public static int shingleWidth(int words, int maxShingleWords) {
    return Math.max(1, Math.min(maxShingleWords, words / 4));
  }

  /** The shingles of a text (distinct, as strings); a text without words has none. */
  public static List<String> shingles(String text, int maxShingleWords) {
    List<String> w = words(text);
    int width = shingleWidth(w.size(), maxShingleWords);
    List<String> out = new ArrayList<>();
    for (int i = 0; i + width <= w.size(); i++) {
      out.add(String.join(" ", w.subList(i, i + width)));
    }
    return out;
  }

  /** The full signature: {@code bands * rows} minima, each below 2^61-1. */
  public long[] signature(String text) {
    long[] min = new long[params.permutations()];
    java.util.Arrays.fill(min, Long.MAX_VALUE);
    List<String> shingles = shingles(text, params.maxShingleWords());
    if (shingles.isEmpty()) {
      // no words: the whole normalised text is the one shingle, so empty texts are not all alike
      shingles = List.of("\u0000" + (text == null ? "" : text.strip()));
    }
    long[] xs = new long[shingles.size()];
    for (int k = 0; k < xs.length; k++) {
      xs[k] = Long.remainderUnsigned(shingleHash().hashString(shingles.get(k),
          StandardCharsets.UTF_8).asLong(), P);
    }
    // one permutation at a time over all shingles: its a, b and minimum stay in registers
    for (int i = 0; i < min.length; i++) {
      long ai = a[i];
      long bi = b[i];
      long m = Long.MAX_VALUE;
      for (long x : xs) {
        long h = permute(ai, bi, x);
        if (h < m) {
          m = h;
        }
      }
      min[i] = m;
    }
    return min;
  }

  /** {@code (a * x + b) mod (2^61 - 1)} for {@code a, b, x < 2^61 - 1}, without overflow. */
  static long permute(long a, long b, long x) {
    long lo = a * x;
    long hi = Math.multiplyHigh(a, x); // a, x < 2^61: the product is below 2^122, hi below 2^58
    long r = (lo & P) + (lo >>> 61) + (hi << 3); // below 2^62 + 8
    r = (r & P) + (r >>> 61); // below 2^61 + 2: at most one P too many
    r = r >= P ? r - P : r;
    r += b; // below 2P
    return r >= P ? r - P : r;
  }

  /** One key per band: a hash of (band index, the band's minima). */
  public long[] bandKeys(long[] signature) {
    long[] keys = new long[params.bands()];
    for (int band = 0; band < params.bands(); band++) {
      Hasher h = bandHash().newHasher().putInt(band);
      for (int r = 0; r < params.rows(); r++) {
        h.putLong(signature[band * params.rows() + r]);
      }
      keys[band] = h.hash().asLong();
    }
    return keys;
  }

  /** The lowest {@link #BITS} bits of each minimum: what state keeps. */
  public static byte[] bbit(long[] signature) {
    byte[] out = new byte[signature.length];
    for (int i = 0; i < signature.length; i++) {
      out[i] = (byte) signature[i];
    }
    return out;
  }

  /** The estimated Jaccard similarity of two full signatures: the share of equal minima. */
  public static double estimate(long[] x, long[] y) {
    check(x.length, y.length);
    int eq = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] == y[i]) {
        eq++;
      }
    }
    return (double) eq / x.length;
  }

  /** The estimated Jaccard similarity of two b-bit signatures, corrected for chance agreement. */
  public static double estimate(byte[] x, byte[] y) {
    check(x.length, y.length);
    int eq = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] == y[i]) {
        eq++;
      }
    }
    double m = (double) eq / x.length;
    return Math.max(0, Math.min(1, (m - CHANCE) / (1 - CHANCE)));
  }

  private static void check(int a, int b) {
    if (a != b) {
      throw new IllegalArgumentException("signatures of different lengths: " + a + " and " + b);
    }
  }

  private HashFunction shingleHash() {
    if (shingleHash == null) {
      shingleHash = com.google.common.hash.Hashing.murmur3_128((int) params.seed());
    }
    return shingleHash;
  }

  private HashFunction bandHash() {
    if (bandHash == null) {
      bandHash = com.google.common.hash.Hashing.murmur3_128((int) (params.seed() >>> 32) ^ 0x5bd1e995);
    }
    return bandHash;
  }
}
