package org.in2stream.pipeline.assemble;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.BigEndianLongCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Segment;
import org.joda.time.Duration;

/**
 * The filler pool of each window, over a horizon of windows: the pool of window W is built from the
 * segments of W and of the {@code horizonWindows - 1} windows before it, so a quiet window still
 * fills long contexts from earlier traffic.
 *
 * <p>How W sees W-N+1..W. The segments arrive in fixed windows of length w. They are re-windowed into
 * sliding windows of size N·w every w, so each segment sits in the N sliding windows that contain
 * its timestamp. The main input (QA pairs in the fixed window W = [s, s+w)) is matched to a side
 * input window by the side input's {@code WindowFn.getDefaultWindowMappingFn()}: for {@link
 * SlidingWindows} that is the <i>earliest</i> sliding window containing the main window's last
 * instant, {@code [s+w-N·w, s+w)}: exactly the windows W-N+1..W. That sliding window ends where W
 * ends, so its pool is ready when the watermark passes the end of W, the same moment as W's own
 * documents: the horizon adds no latency.
 *
 * <p>The pool is a bottom-k sample of the horizon's segments by a seeded hash of the segment id; its
 * content and order depend only on which segments the horizon holds, never on arrival order or
 * parallelism. Boilerplate: a normalised segment text ({@link RepeatedText}) found in at least
 * {@code boilerplateMinDocuments} distinct documents of the horizon is counted per window (a keyed
 * combine, so the count scales out), and its segments are removed from the sample after it is
 * taken (removing them while sampling would make the result depend on merge order). Memory: each
 * segment is held in N windows, each window's sample is bounded by {@code size}.
 */
public final class BuildFillerPool extends PTransform<PCollection<Segment>, PCollection<HorizonPool>> {
  private final long seed;
  private final int size;
  private final Duration window;
  private final int horizonWindows;
  private final int boilerplateMinDocuments;

  /**
   * @param size segments kept in each window's pool
   * @param window the length of the fixed event-time windows of the input
   * @param horizonWindows N: the pool of a window is built from it and the N-1 windows before it
   * @param boilerplateMinDocuments distinct documents from which a text is boilerplate; 0: off
   */
  public BuildFillerPool(long seed, int size, Duration window, int horizonWindows,
      int boilerplateMinDocuments) {
    if (size < 1 || horizonWindows < 1 || boilerplateMinDocuments < 0) {
      throw new IllegalArgumentException("need size >= 1, horizonWindows >= 1 and "
          + "boilerplateMinDocuments >= 0");
    }
    this.seed = seed;
    this.size = size;
    this.window = window;
    this.horizonWindows = horizonWindows;
    this.boilerplateMinDocuments = boilerplateMinDocuments;
  }

  /** The sliding windows of a horizon of {@code n} windows of length {@code window}. */
  public static SlidingWindows horizon(Duration window, int n) {
    return SlidingWindows.of(window.multipliedBy(n)).every(window);
  }

  @Override
  public PCollection<HorizonPool> expand(PCollection<Segment> segments) {
    PCollection<Entry> entries = segments
        .apply("TagWindow", ParDo.of(new TagWindowFn()))
        .setCoder(Entry.CODER)
        .apply("Horizon", Window.into(horizon(window, horizonWindows)));
    PCollectionList<Entry> parts = PCollectionList.of(entries);
    if (boilerplateMinDocuments > 0) {
      PCollection<Entry> boilerplate = entries
          .apply("TextKeys", ParDo.of(new TextKeyFn()))
          .setCoder(KvCoder.of(BigEndianLongCoder.of(), StringUtf8Coder.of()))
          .apply("DocsPerText", Combine.perKey(new DistinctDocsFn(boilerplateMinDocuments)))
          .apply("BoilerplateTexts", ParDo.of(new BoilerplateFn(boilerplateMinDocuments)))
          .setCoder(Entry.CODER);
      parts = parts.and(boilerplate);
    }
    // Without defaults: a window gets a pool only if it has segments, and then it has QA pairs too
    // (an empty default would be a pool that exists but holds nothing). The pools go to their
    // windows' documents and QA pairs by a keyed join (JoinWithPool), not as a side input.
    return parts
        .apply("WithBoilerplate", Flatten.pCollections())
        .apply("BottomK", Combine.globally(new PoolFn(seed, size, window.getMillis()))
            .withoutDefaults())
        .setCoder(new HorizonPool.Coder());
  }

  /**
   * A segment with the start of its event-time window, or (segment null) the hash of a boilerplate
   * text of the horizon.
   */
  record Entry(Segment segment, long windowStart, long boilerplateHash) {
    static final Coder<Entry> CODER = new EntryCoder();

    static Entry boilerplate(long hash) {
      return new Entry(null, 0, hash);
    }
  }

  static final class EntryCoder extends CustomCoder<Entry> {
    private static final Coder<Segment> SEGMENT = AvroCoder.of(Segment.class);

    @Override
    public void encode(Entry e, OutputStream out) throws IOException {
      BooleanCoder.of().encode(e.segment() != null, out);
      if (e.segment() != null) {
        VarLongCoder.of().encode(e.windowStart(), out);
        SEGMENT.encode(e.segment(), out);
      } else {
        BigEndianLongCoder.of().encode(e.boilerplateHash(), out);
      }
    }

    @Override
    public Entry decode(InputStream in) throws IOException {
      if (BooleanCoder.of().decode(in)) {
        long start = VarLongCoder.of().decode(in);
        return new Entry(SEGMENT.decode(in), start, 0);
      }
      return Entry.boilerplate(BigEndianLongCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** Tags each segment with the start of its fixed window (recorded in the examples it fills). */
  static final class TagWindowFn extends DoFn<Segment, Entry> {
    @ProcessElement
    public void process(@Element Segment s, BoundedWindow w, OutputReceiver<Entry> out) {
      long start = w instanceof IntervalWindow iw ? iw.start().getMillis() : 0L;
      out.output(new Entry(s, start, 0));
    }
  }

  /** (hash of the normalised text, document id) of each segment. */
  static final class TextKeyFn extends DoFn<Entry, KV<Long, String>> {
    @ProcessElement
    public void process(@Element Entry e, OutputReceiver<KV<Long, String>> out) {
      out.output(KV.of(RepeatedText.hash(e.segment().getText()), e.segment().getDocId()));
    }
  }

  /** Emits the text hashes that occur in at least {@code min} distinct documents. */
  static final class BoilerplateFn extends DoFn<KV<Long, Set<String>>, Entry> {
    private final int min;
    private final Counter texts = Metrics.counter(BuildFillerPool.class, "boilerplate_texts");

    BoilerplateFn(int min) {
      this.min = min;
    }

    @ProcessElement
    public void process(@Element KV<Long, Set<String>> kv, OutputReceiver<Entry> out) {
      if (kv.getValue().size() >= min) {
        texts.inc();
        out.output(Entry.boilerplate(kv.getKey()));
      }
    }
  }

  /**
   * The distinct document ids of one text, at most {@code cap} of them (the smallest, so the result
   * does not depend on the order of addition): only "at least cap" matters.
   */
  static final class DistinctDocsFn extends Combine.CombineFn<String, TreeSet<String>, Set<String>> {
    private final int cap;

    DistinctDocsFn(int cap) {
      this.cap = cap;
    }

    @Override
    public TreeSet<String> createAccumulator() {
      return new TreeSet<>();
    }

    @Override
    public TreeSet<String> addInput(TreeSet<String> acc, String docId) {
      acc.add(docId);
      if (acc.size() > cap) {
        acc.pollLast();
      }
      return acc;
    }

    @Override
    public TreeSet<String> mergeAccumulators(Iterable<TreeSet<String>> accs) {
      TreeSet<String> merged = new TreeSet<>();
      for (TreeSet<String> a : accs) {
        for (String id : a) {
          addInput(merged, id);
        }
      }
      return merged;
    }

    @Override
    public Set<String> extractOutput(TreeSet<String> acc) {
      return new HashSet<>(acc);
    }

    @Override
    public Coder<TreeSet<String>> getAccumulatorCoder(CoderRegistry registry,
        Coder<String> inputCoder) {
      return new TreeSetCoder();
    }

    @Override
    public Coder<Set<String>> getDefaultOutputCoder(CoderRegistry registry,
        Coder<String> inputCoder) {
      return SetCoder.of(StringUtf8Coder.of());
    }
  }

  static final class TreeSetCoder extends CustomCoder<TreeSet<String>> {
    private static final Coder<List<String>> LIST = ListCoder.of(StringUtf8Coder.of());

    @Override
    public void encode(TreeSet<String> value, OutputStream out) throws IOException {
      LIST.encode(new ArrayList<>(value), out);
    }

    @Override
    public TreeSet<String> decode(InputStream in) throws IOException {
      return new TreeSet<>(LIST.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** The accumulator of a pool: candidate segments (bottom-k, trimmed) and boilerplate hashes. */
  static final class Acc {
    final List<Entry> segments = new ArrayList<>();
    final Set<Long> boilerplate = new HashSet<>();
  }

  static final class AccCoder extends CustomCoder<Acc> {
    private static final Coder<List<Entry>> ENTRIES = ListCoder.of(Entry.CODER);
    private static final Coder<List<Long>> LONGS = ListCoder.of(BigEndianLongCoder.of());

    @Override
    public void encode(Acc acc, OutputStream out) throws IOException {
      ENTRIES.encode(acc.segments, out);
      LONGS.encode(new ArrayList<>(new TreeSet<>(acc.boilerplate)), out);
    }

    @Override
    public Acc decode(InputStream in) throws IOException {
      Acc acc = new Acc();
      acc.segments.addAll(ENTRIES.decode(in));
      acc.boilerplate.addAll(LONGS.decode(in));
      return acc;
    }

    @Override
    public void verifyDeterministic() {}
  }

  /**
   * Keeps the {@code size} segments with the smallest seeded hash, sorted by that hash, then drops
   * the boilerplate ones. Trimming keeps exactly the global bottom-k whatever the order of inputs
   * and merges, so the pool is a function of the horizon's contents.
   */
  static final class PoolFn extends Combine.CombineFn<Entry, Acc, HorizonPool> {
    private final long seed;
    private final int size;
    private final long windowMillis;

    PoolFn(long seed, int size, long windowMillis) {
      this.seed = seed;
      this.size = size;
      this.windowMillis = windowMillis;
    }

    private long key(Segment x) {
      return Hashing.sha256Long(Long.toString(seed), "filler", x.getDocId(),
          Integer.toString(x.getIndex()));
    }

    private record Keyed(long key, Entry entry) {}

    private static final Comparator<Keyed> ORDER = Comparator.comparingLong(Keyed::key)
        .thenComparing(k -> k.entry().segment().getDocId())
        .thenComparingInt(k -> k.entry().segment().getIndex());

    /**
     * An accumulator is trimmed back to {@code size} once it holds a quarter more (at least 64
     * more): every window of the horizon holds one, so this bounds the pool state to about 1.25 x
     * size x horizonWindows segments. Trimming keeps the exact bottom-k, so when it happens does not
     * change the result.
     */
    private int trimAt() {
      return size + Math.max(64, size / 4);
    }

    @Override
    public Acc createAccumulator() {
      return new Acc();
    }

    @Override
    public Acc addInput(Acc acc, Entry input) {
      if (input.segment() == null) {
        acc.boilerplate.add(input.boilerplateHash());
        return acc;
      }
      acc.segments.add(input);
      if (acc.segments.size() >= trimAt()) {
        trim(acc.segments);
      }
      return acc;
    }

    @Override
    public Acc mergeAccumulators(Iterable<Acc> accumulators) {
      Acc merged = new Acc();
      for (Acc a : accumulators) {
        merged.boilerplate.addAll(a.boilerplate);
        merged.segments.addAll(a.segments);
        if (merged.segments.size() >= trimAt()) {
          trim(merged.segments);
        }
      }
      return merged;
    }

    @Override
    public HorizonPool extractOutput(Acc acc) {
      List<Entry> kept = new ArrayList<>(acc.segments);
      trim(kept);
      List<Segment> segments = new ArrayList<>();
      List<Long> starts = new ArrayList<>();
      for (Entry e : kept) {
        if (acc.boilerplate.isEmpty()
            || !acc.boilerplate.contains(RepeatedText.hash(e.segment().getText()))) {
          segments.add(e.segment());
          starts.add(e.windowStart());
        }
      }
      return new HorizonPool(segments, starts, acc.boilerplate, windowMillis);
    }

    /** Sorts by the seeded hash (each key computed once) and keeps the first {@code size}. */
    private void trim(List<Entry> list) {
      List<Keyed> keyed = new ArrayList<>(list.size());
      for (Entry e : list) {
        keyed.add(new Keyed(key(e.segment()), e));
      }
      keyed.sort(ORDER);
      list.clear();
      Keyed previous = null;
      for (Keyed k : keyed) {
        if (list.size() == size) {
          break;
        }
        boolean duplicate = previous != null && previous.key() == k.key()
            && previous.entry().segment().getDocId().equals(k.entry().segment().getDocId())
            && previous.entry().segment().getIndex() == k.entry().segment().getIndex();
        if (!duplicate) {
          list.add(k.entry()); // the same segment can reach the pool twice from a journal
        }
        previous = k;
      }
    }

    @Override
    public Coder<Acc> getAccumulatorCoder(CoderRegistry registry, Coder<Entry> inputCoder) {
      return new AccCoder();
    }

    @Override
    public Coder<HorizonPool> getDefaultOutputCoder(CoderRegistry registry,
        Coder<Entry> inputCoder) {
      return new HorizonPool.Coder();
    }
  }
}
