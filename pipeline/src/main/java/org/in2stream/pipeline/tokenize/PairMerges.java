package org.in2stream.pipeline.tokenize;

/**
 * The merge table of a BPE model: (left token id, right token id) to (rank, merged token id), in an
 * open-addressing table of primitive longs (a boxed map costs more than the merging it serves).
 * Immutable once built; safe to share between threads.
 */
final class PairMerges {
  static final long NONE = -1L;
  private final long[] keys;
  private final long[] values;
  private final int mask;
  private int size;

  PairMerges(int expected) {
    int capacity = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
    keys = new long[capacity];
    values = new long[capacity];
    java.util.Arrays.fill(keys, NONE);
    mask = capacity - 1;
  }

  /** Adds a merge; returns false if the pair already has one. */
  boolean put(int left, int right, int rank, int merged) {
    long key = key(left, right);
    int slot = slot(key);
    while (keys[slot] != NONE) {
      if (keys[slot] == key) {
        return false;
      }
      slot = (slot + 1) & mask;
    }
    if (size + 1 > keys.length * 3 / 4) {
      throw new IllegalStateException("merge table sized for fewer merges");
    }
    keys[slot] = key;
    values[slot] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
    size++;
    return true;
  }

  /** {@code rank << 32 | merged id}, or {@link #NONE}. */
  long get(int left, int right) {
    long key = key(left, right);
    int slot = slot(key);
    long k;
    while ((k = keys[slot]) != NONE) {
      if (k == key) {
        return values[slot];
      }
      slot = (slot + 1) & mask;
    }
    return NONE;
  }

  static int rank(long value) {
    return (int) (value >>> 32);
  }

  static int merged(long value) {
    return (int) value;
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29)) & mask;
  }
}
