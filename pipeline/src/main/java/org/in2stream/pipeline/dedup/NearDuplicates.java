package org.in2stream.pipeline.dedup;

import com.google.common.hash.Hashing;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.BigEndianLongCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Near duplicates across a horizon of event time: MinHash over word shingles, LSH bands, keyed state
 * per band bucket, then one verdict per item. The input must be in the global window.
 *
 * <ol>
 *   <li>{@code Sketch}: each item emits one element per band, keyed by the band key.</li>
 *   <li>{@code Buckets}: per band key, state holds the sketches of the items seen in the last
 *       {@code horizon} of event time. When the watermark passes a waiting item, the bucket finds
 *       the earliest earlier sketch (by event time, then tie-break) within the horizon whose
 *       estimated Jaccard similarity is at least the threshold, answers with it (or with none), and
 *       adds the item's sketch. Waiting items are decided in (event time, tie-break) order, so the
 *       answer does not depend on arrival order ({@link DecideTimers}).</li>
 *   <li>{@code Verdict}: per item, when the watermark passes it (all its bands have answered by
 *       then), the item is a near duplicate of the earliest of the matches, or it is kept.</li>
 * </ol>
 *
 * <p>An item is compared with every earlier item of the horizon, kept or not (a verdict cannot flow
 * back into the buckets of a DAG), so a chain A~B~C with A and C dissimilar keeps only A, as a
 * connected-components dedup does (datatrove's union-find clusters); C's dead letter names B.
 */
public final class NearDuplicates<T> extends PTransform<PCollection<T>, PCollectionTuple> {
  public final TupleTag<T> kept = new TupleTag<>();
  public final TupleTag<KV<T, Match>> nearDuplicates = new TupleTag<>();

  /**
   * @param minHash shingles, permutations and bands
   * @param threshold estimated Jaccard similarity at or above which an earlier item makes a
   *     near duplicate
   * @param horizon how far back in event time an item is compared
   * @param samePageThreshold the threshold for an earlier item of the same {@link ItemKeys#page}
   *     (a re-crawl of one url), compared in a bucket of its own rather than found through the LSH
   *     bands; 0 turns that bucket off
   */
  public record Settings(MinHash.Params minHash, double threshold, Duration horizon,
      double samePageThreshold) implements Serializable {
    public Settings {
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("the near-duplicate threshold must be in (0, 1] (got "
            + threshold + ")");
      }
      if (!(samePageThreshold >= 0 && samePageThreshold <= 1)) {
        throw new IllegalArgumentException("the same-page threshold must be 0 (off) or in (0, 1] "
            + "(got " + samePageThreshold + ")");
      }
      if (horizon.getMillis() < 0) {
        throw new IllegalArgumentException("the dedup horizon must be >= 0 (got " + horizon + ")");
      }
    }

    /** Without a same-page bucket. */
    public Settings(MinHash.Params minHash, double threshold, Duration horizon) {
      this(minHash, threshold, horizon, 0);
    }
  }

  private final ItemKeys<T> keys;
  private final Settings settings;
  private final Coder<T> itemCoder;

  public NearDuplicates(ItemKeys<T> keys, Settings settings, Coder<T> itemCoder) {
    this.keys = keys;
    this.settings = settings;
    this.itemCoder = itemCoder;
  }

  @Override
  public PCollectionTuple expand(PCollection<T> items) {
    if (!(items.getWindowingStrategy().getWindowFn() instanceof GlobalWindows)) {
      throw new IllegalArgumentException("NearDuplicates needs its input in the global window");
    }
    PCollectionTuple out = items
        .apply("Sketch", ParDo.of(new SketchFn<>(keys, settings.minHash(),
            settings.samePageThreshold() > 0)))
        .setCoder(KvCoder.of(VarLongCoder.of(), new Candidate.CandidateCoder<>(itemCoder)))
        .apply("Buckets", ParDo.of(new BucketFn<>(keys, settings, itemCoder)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), new BandResult.BandResultCoder<>(itemCoder)))
        .apply("Verdict", ParDo.of(new VerdictFn<>(keys, itemCoder, kept, nearDuplicates)).withOutputTags(kept, TupleTagList.of(nearDuplicates)));
    out.get(kept).setCoder(itemCoder);
    out.get(nearDuplicates).setCoder(KvCoder.of(itemCoder, Match.MatchCoder.INSTANCE));
    return out;
  }

  /**
   * One element per band, plus one for the item's page bucket when that is on and the item has a
   * page; the item itself rides with band 0 only.
   */
  static final class SketchFn<T> extends DoFn<T, KV<Long, Candidate<T>>> {
    private final ItemKeys<T> keys;
    private final MinHash.Params params;
    private final boolean pageBuckets;
    private transient MinHash minHash;

    SketchFn(ItemKeys<T> keys, MinHash.Params params, boolean pageBuckets) {
      this.keys = keys;
      this.params = params;
      this.pageBuckets = pageBuckets;
    }

    @Setup
    public void setup() {
      minHash = new MinHash(params);
    }

    @ProcessElement
    public void process(@Element T item, @Timestamp Instant ts,
        OutputReceiver<KV<Long, Candidate<T>>> out) {
      long[] signature = minHash.signature(keys.text(item));
      Sketch sketch = new Sketch(keys.id(item), ts.getMillis(), keys.orderKey(item),
          MinHash.bbit(signature));
      long[] bands = minHash.bandKeys(signature);
      for (int b = 0; b < bands.length; b++) {
        out.output(KV.of(bands[b], new Candidate<>(sketch, b == 0 ? item : null, false)));
      }
      String page = pageBuckets ? keys.page(item) : null;
      if (page != null) {
        out.output(KV.of(pageKey(page), new Candidate<>(sketch, null, true)));
      }
    }
  }

  /**
   * The bucket key of a page: a hash in a namespace of its own. A collision with a band key or
   * another page's key costs only comparisons: the page bucket compares items of equal page only.
   */
  static long pageKey(String page) {
    return Hashing.murmur3_128(0x9A6E).hashString("page\u0000" + page, StandardCharsets.UTF_8)
        .asLong();
  }

  /** Per band bucket: the sketches of the horizon, and the items waiting for the watermark. */
  static final class BucketFn<T> extends DoFn<KV<Long, Candidate<T>>, KV<String, BandResult<T>>> {
    private final Counter expired = Metrics.counter(NearDuplicates.class, "sketches_expired");
    private final Distribution bucketSize =
        Metrics.distribution(NearDuplicates.class, "bucket_sketches");
    private final ItemKeys<T> keys;
    private final double threshold;
    private final double samePageThreshold;
    private final long horizonMillis;

    @StateId("pending")
    private final StateSpec<BagState<Candidate<T>>> pendingSpec;

    @StateId("sketches")
    private final StateSpec<ValueState<List<Sketch>>> sketchesSpec =
        StateSpecs.value(ListCoder.of(Sketch.SketchCoder.INSTANCE));

    @StateId("decideAt")
    private final StateSpec<ValueState<Long>> decideAtSpec =
        StateSpecs.value(BigEndianLongCoder.of());

    @TimerId("decide")
    private final TimerSpec decideSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @TimerId("expire")
    private final TimerSpec expireSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    BucketFn(ItemKeys<T> keys, Settings settings, Coder<T> itemCoder) {
      this.keys = keys;
      this.threshold = settings.threshold();
      this.samePageThreshold = settings.samePageThreshold();
      this.horizonMillis = settings.horizon().getMillis();
      this.pendingSpec = StateSpecs.bag(new Candidate.CandidateCoder<>(itemCoder));
    }

    @ProcessElement
    public void process(@Element KV<Long, Candidate<T>> e, @Timestamp Instant ts,
        @StateId("pending") BagState<Candidate<T>> pending,
        @StateId("decideAt") ValueState<Long> decideAt, @TimerId("decide") Timer decide) {
      pending.add(e.getValue());
      DecideTimers.onArrival(decide, decideAt, ts.getMillis());
    }

    @OnTimer("decide")
    public void onDecide(OnTimerContext context,
        @StateId("pending") BagState<Candidate<T>> pending,
        @StateId("sketches") ValueState<List<Sketch>> sketchesState,
        @StateId("decideAt") ValueState<Long> decideAt, @TimerId("decide") Timer decide,
        @TimerId("expire") Timer expire) {
      long firing = context.fireTimestamp().getMillis();
      List<Candidate<T>> ready = new ArrayList<>();
      List<Candidate<T>> waiting = new ArrayList<>();
      long earliestWaiting = Long.MAX_VALUE;
      for (Candidate<T> c : pending.read()) {
        if (DecideTimers.ready(c.sketch().eventTime(), firing)) {
          ready.add(c);
        } else {
          waiting.add(c);
          earliestWaiting = Math.min(earliestWaiting, c.sketch().eventTime());
        }
      }
      ready.sort((x, y) -> Sketch.EARLIEST.compare(x.sketch(), y.sketch()));
      List<Sketch> sketches = sketchesState.read();
      sketches = sketches == null ? new ArrayList<>() : new ArrayList<>(sketches);
      for (Candidate<T> c : ready) {
        Sketch s = c.sketch();
        Sketch best = null;
        double bestJaccard = 0;
        // A page bucket holds only page candidates (the key says so); it compares equal pages.
        double needed = c.samePage() ? samePageThreshold : threshold;
        for (Sketch earlier : sketches) {
          if (Sketch.EARLIEST.compare(earlier, s) >= 0
              || s.eventTime() - earlier.eventTime() > horizonMillis
              || (c.samePage() && !earlier.id().equals(s.id()))) {
            continue;
          }
          double j = MinHash.estimate(earlier.bits(), s.bits());
          // sameOrigin parses both ids: asked only of the few pairs similar enough to matter
          if (j >= needed && (best == null || Sketch.EARLIEST.compare(earlier, best) < 0)
              && !keys.sameOrigin(earlier.id(), s.id())) {
            best = earlier;
            bestJaccard = j;
          }
        }
        String uid = s.id() + '\u0000' + s.orderKey();
        context.outputWithTimestamp(KV.of(uid, new BandResult<>(
            best == null ? null : best.asMatch(bestJaccard), c.item())),
            new Instant(s.eventTime()));
        sketches.add(s);
      }
      pending.clear();
      for (Candidate<T> w : waiting) {
        pending.add(w);
      }
      if (!ready.isEmpty()) {
        sketchesState.write(sketches);
        bucketSize.update(sketches.size());
        long oldest = Long.MAX_VALUE;
        for (Sketch s : sketches) {
          oldest = Math.min(oldest, s.eventTime());
        }
        DecideTimers.expireAfter(expire, oldest, horizonMillis, firing);
      }
      DecideTimers.rearm(decide, decideAt, earliestWaiting);
    }

    @OnTimer("expire")
    public void onExpire(OnTimerContext context,
        @StateId("pending") BagState<Candidate<T>> pending,
        @StateId("sketches") ValueState<List<Sketch>> sketchesState,
        @TimerId("expire") Timer expire) {
      List<Sketch> sketches = sketchesState.read();
      if (sketches == null) {
        return;
      }
      long firing = context.fireTimestamp().getMillis();
      long cutoff = firing;
      for (Candidate<T> c : pending.read()) {
        cutoff = Math.min(cutoff, c.sketch().eventTime());
      }
      List<Sketch> keep = new ArrayList<>();
      long oldest = Long.MAX_VALUE;
      for (Sketch s : sketches) {
        if (s.eventTime() + horizonMillis < cutoff) {
          expired.inc();
        } else {
          keep.add(s);
          oldest = Math.min(oldest, s.eventTime());
        }
      }
      if (keep.isEmpty()) {
        sketchesState.clear();
      } else if (keep.size() < sketches.size()) {
        sketchesState.write(keep);
        DecideTimers.expireAfter(expire, oldest, horizonMillis, firing);
      } else if (oldest + horizonMillis + 1 > firing) {
        DecideTimers.expireAfter(expire, oldest, horizonMillis, firing);
      }
      // else a waiting item still needs the oldest sketch; its decide timer sets this timer again
    }
  }

  /**
   * Per item: collects the answers of its bands and decides when the watermark passes the item
   * (every bucket answers at the item's timestamp under a watermark hold, so by then all answers are
   * in). The item is a near duplicate of the earliest match, or it is kept. Byte-identical items
   * (same id and tie-break, e.g. one QA request answered twice) share a key: the first is judged,
   * the others are duplicates of it.
   */
  static final class VerdictFn<T> extends DoFn<KV<String, BandResult<T>>, T> {
    private final Counter keptCount = Metrics.counter(NearDuplicates.class, "kept");
    private final Counter nearCount = Metrics.counter(NearDuplicates.class, "near_duplicates");
    private final Counter orphans = Metrics.counter(NearDuplicates.class, "answers_without_item");
    private final ItemKeys<T> keys;
    private final TupleTag<T> kept;
    private final TupleTag<KV<T, Match>> nearDuplicates;

    @StateId("answers")
    private final StateSpec<BagState<BandResult<T>>> answersSpec;

    @StateId("decideAt")
    private final StateSpec<ValueState<Long>> decideAtSpec =
        StateSpecs.value(BigEndianLongCoder.of());

    @TimerId("decide")
    private final TimerSpec decideSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    VerdictFn(ItemKeys<T> keys, Coder<T> itemCoder, TupleTag<T> kept,
        TupleTag<KV<T, Match>> nearDuplicates) {
      this.keys = keys;
      this.kept = kept;
      this.nearDuplicates = nearDuplicates;
      this.answersSpec = StateSpecs.bag(new BandResult.BandResultCoder<>(itemCoder));
    }

    @ProcessElement
    public void process(@Element KV<String, BandResult<T>> e, @Timestamp Instant ts,
        @StateId("answers") BagState<BandResult<T>> answers,
        @StateId("decideAt") ValueState<Long> decideAt, @TimerId("decide") Timer decide) {
      answers.add(e.getValue());
      DecideTimers.onArrival(decide, decideAt, ts.getMillis());
    }

    @OnTimer("decide")
    public void onDecide(OnTimerContext context,
        @StateId("answers") BagState<BandResult<T>> answers,
        @StateId("decideAt") ValueState<Long> decideAt) {
      List<T> items = new ArrayList<>();
      Match best = null;
      for (BandResult<T> r : answers.read()) {
        if (r.item() != null) {
          items.add(r.item());
        }
        if (r.match() != null && (best == null || Match.EARLIEST.compare(r.match(), best) < 0)) {
          best = r.match();
        }
      }
      answers.clear();
      decideAt.clear();
      Instant ts = context.timestamp();
      if (items.isEmpty()) {
        orphans.inc(); // cannot happen while the watermark holds; counted, never silent
        return;
      }
      for (int i = 0; i < items.size(); i++) {
        T item = items.get(i);
        Match match = best;
        if (match == null && i > 0) {
          match = new Match(keys.id(item), ts.getMillis(), keys.orderKey(item), 1.0);
        }
        if (match == null) {
          keptCount.inc();
          context.outputWithTimestamp(kept, item, ts);
        } else {
          nearCount.inc();
          context.outputWithTimestamp(nearDuplicates, KV.of(item, match), ts);
        }
      }
    }
  }
}
