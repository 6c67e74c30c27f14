package org.in2stream.pipeline.assemble;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.in2stream.pipeline.dedup.MinHash;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.pipeline.verify.Tokens;
import org.in2stream.schema.Segment;

/**
 * Similarity look-ups over one filler pool, built once per pool (per window and shard of {@link
 * AssembleContexts}) and shared by all its examples; each part is built on first use, so the
 * paper's random fillers build nothing.
 *
 * <p>Similarity: MinHash over the <i>content words</i> of a text, one word per shingle: the runs of
 * letters and digits, lower-cased, without the verification chain's stop words ({@link
 * Tokens#STOPWORDS}). Each distinct word is hashed once (FNV-1a, 64 bits) and permutation {@code i}
 * is SplitMix64's finaliser of the word hash plus a salt drawn from a generator seeded by the global
 * seed; {@value #PERMUTATIONS} permutations. The share of equal minima estimates the Jaccard
 * similarity of the two content-word sets (as {@link MinHash#estimate}). The repo's {@link MinHash}
 * gives the same estimate but normalises (NFKC), splits by regex and hashes every shingle string with
 * murmur3, several times the CPU per segment (the benchmarks' {@code HardnessFigures} prints both),
 * which a pool of 20,000 segments per window and shard cannot afford. A segment's similarity to an example's evidence is the
 * largest over the needed segments. An inverted index maps each (position, minimum) to the segments
 * holding it, so ranking the pool for one example touches only the segments that share at least one
 * minimum with the evidence instead of scanning every signature; segments that share none have an
 * estimated similarity of 0.
 *
 * <p>Key terms: an inverted index from content-word hashes to the segments that hold them, for
 * confusers.
 *
 * <p>Both indexes are sorted {@code long} arrays whose entries are a 43-bit key hash above a 21-bit
 * segment index, so a look-up is a binary search; MinHash hits are confirmed on the signature itself.
 */
public final class FillerIndex {
  /** Minima per signature. */
  public static final int PERMUTATIONS = 64;
  private static final int INDEX_BITS = 21;
  private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
  /** Largest pool an index takes (the segment index must fit its bits). */
  public static final int MAX_POOL = 1 << INDEX_BITS;

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final long[] STOP_HASHES = stopHashes();

  private final List<Segment> pool;
  private final long seed;
  private final long[] salts;
  private long[][] signatures;
  private long[] minimaIndex;
  private long[] termIndex;
  private long[] tieKeys;

  public FillerIndex(List<Segment> pool, long seed) {
    if (pool.size() > MAX_POOL) {
      throw new IllegalArgumentException("a filler index takes at most " + MAX_POOL
          + " segments (got " + pool.size() + ")");
    }
    this.pool = pool;
    this.seed = seed;
    java.util.SplittableRandom random =
        new java.util.SplittableRandom(Hashing.sha256Long(Long.toString(seed), "filler-minhash"));
    this.salts = new long[PERMUTATIONS];
    for (int i = 0; i < PERMUTATIONS; i++) {
      salts[i] = random.nextLong();
    }
  }

  /** The pool this index was built over (the same list object). */
  public List<Segment> pool() {
    return pool;
  }

  /** The MinHash signature of a text's content words (all minima equal for a text without any). */
  public long[] signature(String text) {
    long[] words = contentWords(text, 1);
    long[] min = new long[PERMUTATIONS];
    Arrays.fill(min, Long.MAX_VALUE);
    for (long w : words) {
      for (int i = 0; i < PERMUTATIONS; i++) {
        long h = mix(w + salts[i]);
        if (h < min[i]) {
          min[i] = h;
        }
      }
    }
    return min;
  }

  /**
   * The distinct hashes of the content words of {@code text} with at least {@code minLength}
   * characters (numbers of any length), sorted.
   */
  public static long[] contentWords(String text, int minLength) {
    long[] out = new long[16];
    int n = 0;
    int len = text.length();
    int i = 0;
    while (i < len) {
      char c = text.charAt(i);
      if (!Character.isLetterOrDigit(c)) {
        i++;
        continue;
      }
      boolean number = Character.isDigit(c);
      long h = FNV_OFFSET;
      int start = i;
      while (i < len && Character.isLetterOrDigit(text.charAt(i))) {
        char d = text.charAt(i);
        d = d < 128 ? (d >= 'A' && d <= 'Z' ? (char) (d | 0x20) : d) : Character.toLowerCase(d);
        h = (h ^ d) * FNV_PRIME;
        i++;
      }
      if ((number || i - start >= minLength) && Arrays.binarySearch(STOP_HASHES, h) < 0) {
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = h;
      }
    }
    Arrays.sort(out, 0, n);
    int distinct = 0;
    for (int k = 0; k < n; k++) {
      if (k == 0 || out[k] != out[k - 1]) {
        out[distinct++] = out[k];
      }
    }
    return Arrays.copyOf(out, distinct);
  }

  /** The key terms of a question: its content words of 3+ characters that are not the answer's. */
  public static long[] keyTerms(String question, String answer) {
    long[] q = contentWords(question, 3);
    long[] a = contentWords(answer, 1);
    return Arrays.stream(q).filter(h -> Arrays.binarySearch(a, h) < 0).toArray();
  }

  private static long[] stopHashes() {
    long[] out = new long[Tokens.STOPWORDS.size()];
    int n = 0;
    for (String w : Tokens.STOPWORDS) {
      long h = FNV_OFFSET;
      for (int i = 0; i < w.length(); i++) {
        h = (h ^ w.charAt(i)) * FNV_PRIME;
      }
      out[n++] = h;
    }
    Arrays.sort(out);
    return out;
  }

  /** Estimated similarity of pool segment {@code idx} to the closest of {@code evidence}. */
  public double similarity(int idx, List<long[]> evidence) {
    long[] s = signatures()[idx];
    double best = 0;
    for (long[] e : evidence) {
      best = Math.max(best, MinHash.estimate(s, e));
    }
    return best;
  }

  /**
   * The pool's indexes with a similarity above 0 to {@code evidence}, most similar first; equal
   * similarities in the order of a hash of the segment id seeded by the global seed and {@code
   * exampleKey}.
   */
  public int[] mostSimilar(List<long[]> evidence, long exampleKey) {
    long[][] sigs = signatures();
    long[] index = minimaIndex();
    int[] best = new int[pool.size()];
    List<Integer> touched = new ArrayList<>();
    for (long[] e : evidence) {
      int[] count = new int[pool.size()];
      List<Integer> hit = new ArrayList<>();
      for (int i = 0; i < e.length; i++) {
        long key = minimumKey(i, e[i]);
        for (int at = first(index, key); at < index.length && (index[at] >>> INDEX_BITS) == key;
            at++) {
          int idx = (int) (index[at] & INDEX_MASK);
          if (sigs[idx][i] == e[i] && count[idx]++ == 0) {
            hit.add(idx);
          }
        }
      }
      for (int idx : hit) {
        if (best[idx] == 0) {
          touched.add(idx);
        }
        best[idx] = Math.max(best[idx], count[idx]);
      }
    }
    return ranked(touched, best, exampleKey);
  }

  /**
   * The pool's indexes that hold at least {@code minShared} of {@code terms} (content-word hashes,
   * {@link #keyTerms}), the most shared terms first, ties as in {@link #mostSimilar}.
   */
  public int[] sharingTerms(long[] terms, int minShared, long exampleKey) {
    long[] index = termIndex();
    int[] count = new int[pool.size()];
    List<Integer> touched = new ArrayList<>();
    for (long t : Arrays.stream(terms).distinct().toArray()) {
      long key = t >>> INDEX_BITS;
      for (int at = first(index, key); at < index.length && (index[at] >>> INDEX_BITS) == key;
          at++) {
        int idx = (int) (index[at] & INDEX_MASK);
        if (count[idx]++ == 0) {
          touched.add(idx);
        }
      }
    }
    List<Integer> kept = new ArrayList<>();
    for (int idx : touched) {
      if (count[idx] >= minShared) {
        kept.add(idx);
      }
    }
    return ranked(kept, count, exampleKey);
  }

  /** {@code candidates} by score descending, then by the seeded tie hash. */
  private int[] ranked(List<Integer> candidates, int[] score, long exampleKey) {
    long[] ties = tieKeys();
    Integer[] order = candidates.toArray(Integer[]::new);
    Arrays.sort(order, (x, y) -> {
      int c = Integer.compare(score[y], score[x]);
      if (c != 0) {
        return c;
      }
      c = Long.compare(mix(ties[x] ^ exampleKey), mix(ties[y] ^ exampleKey));
      return c != 0 ? c : Integer.compare(x, y);
    });
    int[] out = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      out[i] = order[i];
    }
    return out;
  }

  private long[][] signatures() {
    if (signatures == null) {
      long[][] s = new long[pool.size()][];
      for (int i = 0; i < s.length; i++) {
        s[i] = signature(pool.get(i).getText());
      }
      signatures = s;
    }
    return signatures;
  }

  private long[] minimaIndex() {
    if (minimaIndex == null) {
      long[][] sigs = signatures();
      long[] entries = new long[sigs.length * PERMUTATIONS];
      int n = 0;
      for (int idx = 0; idx < sigs.length; idx++) {
        for (int i = 0; i < PERMUTATIONS; i++) {
          entries[n++] = (minimumKey(i, sigs[idx][i]) << INDEX_BITS) | idx;
        }
      }
      Arrays.sort(entries);
      minimaIndex = entries;
    }
    return minimaIndex;
  }

  private long[] termIndex() {
    if (termIndex == null) {
      long[] entries = new long[1024];
      int n = 0;
      for (int idx = 0; idx < pool.size(); idx++) {
        for (long t : contentWords(pool.get(idx).getText(), 1)) {
          if (n == entries.length) {
            entries = Arrays.copyOf(entries, entries.length * 2);
          }
          entries[n++] = ((t >>> INDEX_BITS) << INDEX_BITS) | idx;
        }
      }
      entries = Arrays.copyOf(entries, n);
      Arrays.sort(entries);
      termIndex = entries;
    }
    return termIndex;
  }

  private long[] tieKeys() {
    if (tieKeys == null) {
      long[] t = new long[pool.size()];
      for (int i = 0; i < t.length; i++) {
        Segment s = pool.get(i);
        t[i] = Hashing.sha256Long(Long.toString(seed), "filler-tie", s.getDocId() + "#"
            + s.getIndex());
      }
      tieKeys = t;
    }
    return tieKeys;
  }

  /** First position in the sorted {@code index} whose key part is at least {@code key}. */
  private static int first(long[] index, long key) {
    long target = key << INDEX_BITS;
    int lo = 0;
    int hi = index.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (index[mid] < target) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** A non-negative 43-bit key for minimum {@code value} at position {@code i}. */
  private static long minimumKey(int i, long value) {
    return mix(value * 0x9E3779B97F4A7C15L + i) >>> INDEX_BITS;
  }

  /** SplitMix64's finaliser: a cheap, well-spread 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
