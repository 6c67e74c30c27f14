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
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.pipeline.util.WorkerSetupException;
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
 * taken (removing them while sampling would make the result depend on merge order).
 *
 * <p>Two levels. Each fixed window's bottom-k is taken once, when the window fires, from its
 * grouped segments, and the pool of a horizon merges the N sorted samples of its windows in linear time. The
 * bottom-k of a union is the bottom-k of the union of its parts' bottom-k, so this is the same pool
 * as one sample over all the horizon's segments. Memory: one sample of at most {@code size} per
 * window, and each of the N open horizons holds a merged sample of at most {@code size}.
 */
public final class BuildFillerPool extends PTransform<PCollection<Segment>, PCollection<HorizonPool>> {
  private final long seed;
  private final int size;
  private final Duration window;
  private final int horizonWindows;
  private final int boilerplateMinDocuments;
  private final String tokenizerSpec;

  /**
   * @param size segments kept in each window's pool
   * @param window the length of the fixed event-time windows of the input
   * @param horizonWindows N: the pool of a window is built from it and the N-1 windows before it
   * @param boilerplateMinDocuments distinct documents from which a text is boilerplate; 0: off
   * @param tokenizerSpec the pipeline tokenizer, to count the tokens of a segment that lost
   *     boilerplate lines
   */
  public BuildFillerPool(long seed, int size, Duration window, int horizonWindows,
      int boilerplateMinDocuments, String tokenizerSpec) {
    if (size < 1 || horizonWindows < 1 || boilerplateMinDocuments < 0) {
      throw new IllegalArgumentException("need size >= 1, horizonWindows >= 1 and "
          + "boilerplateMinDocuments >= 0");
    }
    this.seed = seed;
    this.size = size;
    this.window = window;
    this.horizonWindows = horizonWindows;
    this.boilerplateMinDocuments = boilerplateMinDocuments;
    this.tokenizerSpec = tokenizerSpec;
  }

  /** The sliding windows of a horizon of {@code n} windows of length {@code window}. */
  public static SlidingWindows horizon(Duration window, int n) {
    return SlidingWindows.of(window.multipliedBy(n)).every(window);
  }

  @Override
  public PCollection<HorizonPool> expand(PCollection<Segment> segments) {
    PCollection<Entry> entries = segments
        .apply("TagWindow", ParDo.of(new TagWindowFn()))
        .setCoder(Entry.CODER);
    // Two levels: the bottom-k of each fixed window once, then the horizon's pool merges the N
    // samples of its windows. A segment is added to one accumulator, not to N, and the horizon's
    // accumulators hold sorted samples that are merged in linear time.
    // The first level groups the window's segments (a bag: appending is cheap on every state
    // backend, where a combining accumulator of thousands of segments would be rewritten, and on
    // RocksDB re-serialised, for every segment) and samples them once when the window fires.
    PCollection<Part> samples = entries
        .apply("KeyForWindow", WithKeys.of(0))
        .setCoder(KvCoder.of(VarIntCoder.of(), Entry.CODER))
        .apply("SegmentsOfWindow", GroupByKey.create())
        .apply("SampleEachWindow", ParDo.of(new SampleFn(seed, size)))
        .setCoder(Part.CODER)
        .apply("Horizon", Window.into(horizon(window, horizonWindows)));
    PCollectionList<Part> parts = PCollectionList.of(samples);
    if (boilerplateMinDocuments > 0) {
      PCollection<Part> boilerplate = entries
          .apply("HorizonOfTexts", Window.into(horizon(window, horizonWindows)))
          .apply("TextKeys", ParDo.of(new TextKeyFn()))
          .setCoder(KvCoder.of(BigEndianLongCoder.of(), StringUtf8Coder.of()))
          .apply("DocsPerText", Combine.perKey(new DistinctDocsFn(boilerplateMinDocuments)))
          .apply("BoilerplateTexts", ParDo.of(new BoilerplateFn(boilerplateMinDocuments)))
          .setCoder(Part.CODER);
      parts = parts.and(boilerplate);
    }
    // Without defaults: a window gets a pool only if it has segments, and then it has QA pairs too
    // (an empty default would be a pool that exists but holds nothing). The pools go to their
    // windows' documents and QA pairs by a keyed join (JoinWithPool), not as a side input.
    return parts
        .apply("WithBoilerplate", Flatten.pCollections())
        .apply("BottomK", Combine.globally(new PoolFn(size, window.getMillis(),
            tokenizerSpec))
            .withoutDefaults())
        .setCoder(new HorizonPool.Coder());
  }

  /** A segment with the start of its event-time window. */
  record Entry(Segment segment, long windowStart) {
    static final Coder<Entry> CODER = new EntryCoder();
  }

  static final class EntryCoder extends CustomCoder<Entry> {
    private static final Coder<Segment> SEGMENT = AvroCoder.specific(Segment.class);

    @Override
    public void encode(Entry e, OutputStream out) throws IOException {
      VarLongCoder.of().encode(e.windowStart(), out);
      SEGMENT.encode(e.segment(), out);
    }

    @Override
    public Entry decode(InputStream in) throws IOException {
      long start = VarLongCoder.of().decode(in);
      return new Entry(SEGMENT.decode(in), start);
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** An entry with its seeded sampling key (computed once, when the entry is first sampled). */
  record Keyed(long key, Entry entry) {
    static final Coder<Keyed> CODER = new KeyedCoder();

    /** Sampling order: the key, then the segment's identity and window (a total order). */
    static final Comparator<Keyed> ORDER = Comparator.comparingLong(Keyed::key)
        .thenComparing(k -> k.entry().segment().getDocId())
        .thenComparingInt(k -> k.entry().segment().getIndex())
        .thenComparingLong(k -> k.entry().windowStart());

    boolean sameSegment(Keyed other) {
      return key == other.key
          && entry.segment().getDocId().equals(other.entry().segment().getDocId())
          && entry.segment().getIndex() == other.entry().segment().getIndex();
    }
  }

  static final class KeyedCoder extends CustomCoder<Keyed> {
    @Override
    public void encode(Keyed k, OutputStream out) throws IOException {
      BigEndianLongCoder.of().encode(k.key(), out);
      Entry.CODER.encode(k.entry(), out);
    }

    @Override
    public Keyed decode(InputStream in) throws IOException {
      long key = BigEndianLongCoder.of().decode(in);
      return new Keyed(key, Entry.CODER.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  /**
   * An input of a horizon's pool: the sample of one of its windows (sorted by {@link Keyed#ORDER}),
   * or (sample null) the hash of a boilerplate text of the horizon.
   */
  record Part(List<Keyed> sample, long boilerplateHash) {
    static final Coder<Part> CODER = new PartCoder();

    static Part boilerplate(long hash) {
      return new Part(null, hash);
    }
  }

  static final class PartCoder extends CustomCoder<Part> {
    private static final Coder<List<Keyed>> SAMPLE = ListCoder.of(Keyed.CODER);

    @Override
    public void encode(Part p, OutputStream out) throws IOException {
      BooleanCoder.of().encode(p.sample() != null, out);
      if (p.sample() != null) {
        SAMPLE.encode(p.sample(), out);
      } else {
        BigEndianLongCoder.of().encode(p.boilerplateHash(), out);
      }
    }

    @Override
    public Part decode(InputStream in) throws IOException {
      if (BooleanCoder.of().decode(in)) {
        return new Part(SAMPLE.decode(in), 0);
      }
      return Part.boilerplate(BigEndianLongCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** Tags each segment with the start of its fixed window (recorded in the examples it fills). */
  static final class TagWindowFn extends DoFn<Segment, Entry> {
    @ProcessElement
    public void process(@Element Segment s, BoundedWindow w, OutputReceiver<Entry> out) {
      long start = w instanceof IntervalWindow iw ? iw.start().getMillis() : 0L;
      out.output(new Entry(s, start));
    }
  }

  /**
   * (hash of the normalised text, document id) of each segment, and of each distinct short line
   * ({@link RepeatedText#boilerplateLineCandidate}) of a segment of two or more lines: a footer or
   * notice that the segmenter merged into a longer segment repeats as a line, not as a segment
   * ({@link HorizonPool#withoutBoilerplateLines}).
   */
  static final class TextKeyFn extends DoFn<Entry, KV<Long, String>> {
    @ProcessElement
    public void process(@Element Entry e, OutputReceiver<KV<Long, String>> out) {
      String text = e.segment().getText();
      String docId = e.segment().getDocId();
      long whole = RepeatedText.hash(text);
      out.output(KV.of(whole, docId));
      if (text.indexOf('\n') < 0) {
        return;
      }
      Set<Long> lines = new HashSet<>();
      lines.add(whole);
      for (String line : text.split("\n")) {
        if (!RepeatedText.boilerplateLineCandidate(line)) {
          continue;
        }
        long hash = RepeatedText.hash(line);
        if (lines.add(hash)) {
          out.output(KV.of(hash, docId));
        }
      }
    }
  }

  /** Emits the text hashes that occur in at least {@code min} distinct documents. */
  static final class BoilerplateFn extends DoFn<KV<Long, Set<String>>, Part> {
    private final int min;
    private final Counter texts = Metrics.counter(BuildFillerPool.class, "boilerplate_texts");

    BoilerplateFn(int min) {
      this.min = min;
    }

    @ProcessElement
    public void process(@Element KV<Long, Set<String>> kv, OutputReceiver<Part> out) {
      if (kv.getValue().size() >= min) {
        texts.inc();
        out.output(Part.boilerplate(kv.getKey()));
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

  /**
   * The bottom-k of one window's segments: the {@code size} segments with the smallest seeded hash,
   * sorted, each once. While reading, the list is trimmed back to {@code size} whenever it holds a
   * quarter more (at least 64 more); trimming keeps the exact bottom-k, so when it happens does not
   * change the result.
   */
  static final class SampleFn extends DoFn<KV<Integer, Iterable<Entry>>, Part> {
    private final long seed;
    private final int size;

    SampleFn(long seed, int size) {
      this.seed = seed;
      this.size = size;
    }

    private long key(Segment x) {
      return Hashing.sha256Long(Long.toString(seed), "filler", x.getDocId(),
          Integer.toString(x.getIndex()));
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Entry>> window, OutputReceiver<Part> out) {
      int trimAt = size + Math.max(64, size / 4);
      List<Keyed> sample = new ArrayList<>();
      for (Entry e : window.getValue()) {
        sample.add(new Keyed(key(e.segment()), e));
        if (sample.size() >= trimAt) {
          trim(sample, size);
        }
      }
      trim(sample, size);
      // In parts of at most PART_SEGMENTS: each part is a record of the horizon's combine, and a
      // batch runner sorts such records in memory buffers that refuse one of megabytes (Flink's
      // chained combiner: "Record too large"). Every part is sorted, so the merge takes them as
      // they come (LargePoolReplayIT).
      if (sample.isEmpty()) {
        out.output(new Part(sample, 0));
      }
      for (int from = 0; from < sample.size(); from += PART_SEGMENTS) {
        out.output(new Part(new ArrayList<>(sample.subList(from,
            Math.min(sample.size(), from + PART_SEGMENTS))), 0));
      }
    }
  }

  /** The most segments in one sample record of a window (see {@link SampleFn}). */
  static final int PART_SEGMENTS = 1_000;

  /** Sorts by {@link Keyed#ORDER} and keeps the first {@code size} distinct segments. */
  static void trim(List<Keyed> list, int size) {
    list.sort(Keyed.ORDER);
    List<Keyed> kept = new ArrayList<>(Math.min(size, list.size()));
    for (Keyed k : list) {
      if (kept.size() == size) {
        break;
      }
      // the same segment can reach the pool twice from a journal
      if (kept.isEmpty() || !kept.get(kept.size() - 1).sameSegment(k)) {
        kept.add(k);
      }
    }
    list.clear();
    list.addAll(kept);
  }

  /**
   * The first {@code size} distinct segments of two lists sorted by {@link Keyed#ORDER}, in that
   * order: the bottom-k of their union, in linear time.
   */
  static List<Keyed> mergeSorted(List<Keyed> a, List<Keyed> b, int size) {
    List<Keyed> out = new ArrayList<>(Math.min(size, a.size() + b.size()));
    int i = 0;
    int j = 0;
    while (out.size() < size && (i < a.size() || j < b.size())) {
      Keyed next;
      if (j >= b.size() || (i < a.size() && Keyed.ORDER.compare(a.get(i), b.get(j)) <= 0)) {
        next = a.get(i++);
      } else {
        next = b.get(j++);
      }
      if (out.isEmpty() || !out.get(out.size() - 1).sameSegment(next)) {
        out.add(next);
      }
    }
    return out;
  }

  /** The accumulator of a pool: the merged samples (sorted, at most k) and boilerplate hashes. */
  static final class Acc {
    List<Keyed> segments = new ArrayList<>();
    final Set<Long> boilerplate = new HashSet<>();
  }

  static final class AccCoder extends CustomCoder<Acc> {
    private static final Coder<List<Keyed>> SAMPLE = ListCoder.of(Keyed.CODER);
    private static final Coder<List<Long>> LONGS = ListCoder.of(BigEndianLongCoder.of());

    @Override
    public void encode(Acc acc, OutputStream out) throws IOException {
      SAMPLE.encode(acc.segments, out);
      LONGS.encode(new ArrayList<>(new TreeSet<>(acc.boilerplate)), out);
    }

    @Override
    public Acc decode(InputStream in) throws IOException {
      Acc acc = new Acc();
      acc.segments = new ArrayList<>(SAMPLE.decode(in));
      acc.boilerplate.addAll(LONGS.decode(in));
      return acc;
    }

    @Override
    public void verifyDeterministic() {}
  }

  /**
   * The pool of a horizon: the bottom-k of the union of its windows' samples (each window's bottom-k
   * holds every segment of the union's bottom-k that came from it, so this is the bottom-k of the
   * horizon's segments), sorted by the seeded hash, then without its boilerplate segments and with
   * the boilerplate lines cut out of the others (their tokens counted again). The result is a
   * function of the horizon's contents, whatever the order of inputs and merges.
   */
  static final class PoolFn extends Combine.CombineFn<Part, Acc, HorizonPool> {
    private final int size;
    private final long windowMillis;
    private final String tokenizerSpec;
    private transient TextTokenizer tokenizer;

    PoolFn(int size, long windowMillis, String tokenizerSpec) {
      this.size = size;
      this.windowMillis = windowMillis;
      this.tokenizerSpec = tokenizerSpec;
    }

    @Override
    public Acc createAccumulator() {
      return new Acc();
    }

    @Override
    public Acc addInput(Acc acc, Part input) {
      if (input.sample() == null) {
        acc.boilerplate.add(input.boilerplateHash());
      } else {
        acc.segments = mergeSorted(acc.segments, input.sample(), size);
      }
      return acc;
    }

    @Override
    public Acc mergeAccumulators(Iterable<Acc> accumulators) {
      Acc merged = new Acc();
      for (Acc a : accumulators) {
        merged.boilerplate.addAll(a.boilerplate);
        merged.segments = mergeSorted(merged.segments, a.segments, size);
      }
      return merged;
    }

    @Override
    public HorizonPool extractOutput(Acc acc) {
      List<Segment> segments = new ArrayList<>();
      List<Long> starts = new ArrayList<>();
      for (Keyed k : acc.segments) {
        Entry e = k.entry();
        Segment s = e.segment();
        if (acc.boilerplate.isEmpty()) {
          segments.add(s);
          starts.add(e.windowStart());
          continue;
        }
        if (acc.boilerplate.contains(RepeatedText.hash(s.getText()))) {
          continue;
        }
        String text = RepeatedText.withoutLines(s.getText(), acc.boilerplate);
        if (text.isEmpty()) {
          continue;
        }
        if (text.length() < s.getText().length()) {
          if (tokenizer == null) {
            tokenizer = WorkerSetupException.during("the tokenizer " + tokenizerSpec,
                () -> Tokenizers.load(tokenizerSpec));
          }
          s = Segment.newBuilder(s).setText(text).setTokens(tokenizer.count(text)).build();
        }
        segments.add(s);
        starts.add(e.windowStart());
      }
      return new HorizonPool(segments, starts, acc.boilerplate, windowMillis);
    }

    @Override
    public Coder<Acc> getAccumulatorCoder(CoderRegistry registry, Coder<Part> inputCoder) {
      return new AccCoder();
    }

    @Override
    public Coder<HorizonPool> getDefaultOutputCoder(CoderRegistry registry,
        Coder<Part> inputCoder) {
      return new HorizonPool.Coder();
    }
  }
}
