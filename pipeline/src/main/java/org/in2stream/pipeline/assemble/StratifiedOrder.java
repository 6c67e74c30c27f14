package org.in2stream.pipeline.assemble;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.in2stream.schema.Segment;

/**
 * Depth-stratified placement. Every needed segment of an example gets a depth decile, drawn uniformly
 * by a generator keyed by the example id (the segments of one example get distinct deciles, so each
 * decile's marginal chance stays exactly 1/10); then the free pieces (fillers and the source document's
 * other segments) are laid out so that each needed segment starts inside its decile of the context.
 *
 * <p>Layout, with the total length T estimated from the segment counts: needed segments in increasing
 * decile order; before each, free pieces (in a seeded random order) are taken while they keep the
 * cursor at or below an aim drawn inside the middle 70% of the decile window, and if the cursor is
 * still short of the window, the smallest piece that lands inside it is added. The rest follow the last
 * needed segment. Since the estimate can be a few tokens off the final count, the caller checks the
 * realised deciles and asks for another layout ({@link #next()}, new aims) when one missed. A decile
 * can be infeasible (a segment longer than a tenth of a short context cannot start in the last
 * decile); the segment then goes as deep as it can, and the miss is counted.
 */
final class StratifiedOrder {
  private final List<Segment> needed = new ArrayList<>();
  private final List<Segment> free = new ArrayList<>();
  private final Map<Integer, Integer> bins = new HashMap<>();
  private final int separatorTokens;
  private final SplittableRandom rng;
  private final long total;

  StratifiedOrder(List<Segment> own, Set<Integer> neededIndexes, List<Segment> fillers,
      int separatorTokens, SplittableRandom rng) {
    this.separatorTokens = separatorTokens;
    this.rng = rng;
    for (Segment s : own) {
      (neededIndexes.contains(s.getIndex()) ? needed : free).add(s);
    }
    free.addAll(fillers);
    // Distinct deciles for the needed segments: a partial Fisher-Yates draw over 0..9.
    int[] deciles = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    for (int i = 0; i < needed.size() && i < deciles.length; i++) {
      int j = i + rng.nextInt(deciles.length - i);
      int t = deciles[i];
      deciles[i] = deciles[j];
      deciles[j] = t;
      bins.put(needed.get(i).getIndex(), deciles[i]);
    }
    for (int i = deciles.length; i < needed.size(); i++) {
      bins.put(needed.get(i).getIndex(), rng.nextInt(10)); // more than ten needed segments
    }
    needed.sort(Comparator.comparingInt((Segment s) -> bins.get(s.getIndex()))
        .thenComparingInt(Segment::getIndex));
    long t = -separatorTokens;
    for (Segment s : own) {
      t += cost(s);
    }
    for (Segment s : fillers) {
      t += cost(s);
    }
    this.total = t;
  }

  /** The decile drawn for each needed segment, by segment index. */
  Map<Integer, Integer> bins() {
    return bins;
  }

  /** The decile (0-9) of a depth in [0, 1]. */
  static int decile(double depth) {
    return Math.min(9, (int) Math.floor(depth * 10));
  }

  private int cost(Segment s) {
    return s.getTokens() + separatorTokens;
  }

  /** A new layout; each call draws new aims and a new order of the free pieces. */
  List<Segment> next() {
    List<Segment> pool = new ArrayList<>(free);
    ContextAssembler.shuffle(pool, rng);
    List<Segment> out = new ArrayList<>();
    long cursor = 0;
    for (int k = 0; k < needed.size(); k++) {
      Segment seg = needed.get(k);
      int bin = bins.get(seg.getIndex());
      double lo = bin * total / 10.0;
      double hi = (bin + 1) * total / 10.0;
      double aim = lo + (0.15 + 0.7 * rng.nextDouble()) * (hi - lo);
      for (int i = 0; i < pool.size(); ) {
        Segment p = pool.get(i);
        if (cursor + cost(p) <= aim) {
          out.add(p);
          cursor += cost(p);
          pool.remove(i);
        } else {
          i++;
        }
      }
      if (cursor < lo) {
        int smallest = -1;
        for (int i = 0; i < pool.size(); i++) {
          long after = cursor + cost(pool.get(i));
          if (after >= lo && after < hi
              && (smallest < 0 || cost(pool.get(i)) < cost(pool.get(smallest)))) {
            smallest = i;
          }
        }
        if (smallest >= 0) {
          cursor += cost(pool.get(smallest));
          out.add(pool.remove(smallest));
        }
      }
      out.add(seg);
      cursor += cost(seg);
    }
    out.addAll(pool);
    return out;
  }
}
