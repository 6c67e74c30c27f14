package org.in2stream.pipeline.assemble;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Segment;

/**
 * The filler pool of a window: a bottom-k sample of its segments by a seeded hash of the segment id.
 * The sample and its order depend only on which segments the window holds, never on arrival order or
 * parallelism, so a replay assembles the same contexts. Memory is bounded by {@code size}.
 */
public final class BuildFillerPool
    extends PTransform<PCollection<Segment>, PCollectionView<List<Segment>>> {
  private final long seed;
  private final int size;

  public BuildFillerPool(long seed, int size) {
    this.seed = seed;
    this.size = size;
  }

  @Override
  public PCollectionView<List<Segment>> expand(PCollection<Segment> segments) {
    // Without defaults: a window gets a pool only if it has segments, and then it has QA pairs too.
    return segments.apply("BottomK",
        Combine.globally(new BottomKFn(seed, size)).withoutDefaults().asSingletonView());
  }

  /** Keeps the {@code size} segments with the smallest seeded hash, sorted by that hash. */
  static final class BottomKFn extends Combine.CombineFn<Segment, List<Segment>, List<Segment>> {
    private final long seed;
    private final int size;

    BottomKFn(long seed, int size) {
      this.seed = seed;
      this.size = size;
    }

    private long key(Segment x) {
      return Hashing.sha256Long(Long.toString(seed), "filler", x.getDocId(),
          Integer.toString(x.getIndex()));
    }

    private record Keyed(long key, Segment segment) {}

    private static final Comparator<Keyed> ORDER = Comparator.comparingLong(Keyed::key)
        .thenComparing(k -> k.segment().getDocId())
        .thenComparingInt(k -> k.segment().getIndex());

    @Override
    public List<Segment> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<Segment> addInput(List<Segment> acc, Segment input) {
      acc.add(input);
      if (acc.size() >= 2 * size) {
        trim(acc);
      }
      return acc;
    }

    @Override
    public List<Segment> mergeAccumulators(Iterable<List<Segment>> accumulators) {
      List<Segment> merged = new ArrayList<>();
      for (List<Segment> a : accumulators) {
        merged.addAll(a);
        if (merged.size() >= 2 * size) {
          trim(merged);
        }
      }
      return merged;
    }

    @Override
    public List<Segment> extractOutput(List<Segment> acc) {
      List<Segment> out = new ArrayList<>(acc);
      trim(out);
      return out;
    }

    /** Sorts by the seeded hash (each key computed once) and keeps the first {@code size}. */
    private void trim(List<Segment> list) {
      List<Keyed> keyed = new ArrayList<>(list.size());
      for (Segment s : list) {
        keyed.add(new Keyed(key(s), s));
      }
      keyed.sort(ORDER);
      list.clear();
      Keyed previous = null;
      for (Keyed k : keyed) {
        if (list.size() == size) {
          break;
        }
        boolean duplicate = previous != null && previous.key() == k.key()
            && previous.segment().getDocId().equals(k.segment().getDocId())
            && previous.segment().getIndex() == k.segment().getIndex();
        if (!duplicate) {
          list.add(k.segment()); // the same segment can reach the pool twice from a journal
        }
        previous = k;
      }
    }

    @Override
    public Coder<List<Segment>> getAccumulatorCoder(CoderRegistry registry,
        Coder<Segment> inputCoder) {
      return ListCoder.of(AvroCoder.of(Segment.class));
    }

    @Override
    public Coder<List<Segment>> getDefaultOutputCoder(CoderRegistry registry,
        Coder<Segment> inputCoder) {
      return ListCoder.of(AvroCoder.of(Segment.class));
    }
  }
}
