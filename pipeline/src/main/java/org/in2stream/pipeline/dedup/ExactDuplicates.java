package org.in2stream.pipeline.dedup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.BigEndianLongCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
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
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Exact duplicates across a horizon of event time, in keyed state. Items are keyed by an exact key
 * (the content hash); per key, state holds the kept item (the root) and the event time of the last
 * copy seen. A copy whose event time is at most {@code horizon} after the last copy seen is a
 * duplicate of the root; a copy after that starts a new root. The expiry timer clears the key's
 * state once the horizon has passed the last copy. Items are decided in (event time, tie-break)
 * order when the watermark passes them ({@link DecideTimers}), so the same input gives the same
 * roots in any arrival order. The input must be in the global window.
 */
public final class ExactDuplicates<T> extends PTransform<PCollection<T>, PCollectionTuple> {
  public final TupleTag<T> kept = new TupleTag<>();
  public final TupleTag<KV<T, Match>> duplicates = new TupleTag<>();

  private final ItemKeys<T> keys;
  private final SerializableFunction<T, String> exactKey;
  private final Duration horizon;
  private final Coder<T> itemCoder;

  public ExactDuplicates(ItemKeys<T> keys, SerializableFunction<T, String> exactKey,
      Duration horizon, Coder<T> itemCoder) {
    this.keys = keys;
    this.exactKey = exactKey;
    this.horizon = horizon;
    this.itemCoder = itemCoder;
  }

  @Override
  public PCollectionTuple expand(PCollection<T> items) {
    if (!(items.getWindowingStrategy().getWindowFn() instanceof GlobalWindows)) {
      throw new IllegalArgumentException("ExactDuplicates needs its input in the global window");
    }
    PCollectionTuple out = items
        .apply("ByExactKey", ParDo.of(new KeyFn<>(exactKey)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), itemCoder))
        .apply("KeepEarliestCopy", ParDo.of(new ExactFn<>(keys, horizon.getMillis(), itemCoder,
            duplicates)).withOutputTags(kept, TupleTagList.of(duplicates)));
    out.get(kept).setCoder(itemCoder);
    out.get(duplicates).setCoder(KvCoder.of(itemCoder, Match.MatchCoder.INSTANCE));
    return out;
  }

  static final class KeyFn<T> extends DoFn<T, KV<String, T>> {
    private final SerializableFunction<T, String> key;

    KeyFn(SerializableFunction<T, String> key) {
      this.key = key;
    }

    @ProcessElement
    public void process(@Element T item, OutputReceiver<KV<String, T>> out) {
      out.output(KV.of(key.apply(item), item));
    }
  }

  /** The kept copy of a key and the event time of the last copy seen. */
  record Root(Match kept, long lastSeen) {
    static final class RootCoder extends CustomCoder<Root> {
      static final RootCoder INSTANCE = new RootCoder();

      @Override
      public void encode(Root r, OutputStream out) throws IOException {
        Match.MatchCoder.INSTANCE.encode(r.kept(), out);
        BigEndianLongCoder.of().encode(r.lastSeen(), out);
      }

      @Override
      public Root decode(InputStream in) throws IOException {
        return new Root(Match.MatchCoder.INSTANCE.decode(in), BigEndianLongCoder.of().decode(in));
      }
    }
  }

  static final class ExactFn<T> extends DoFn<KV<String, T>, T> {
    private final Counter duplicateCount = Metrics.counter(ExactDuplicates.class, "duplicates");
    private final Counter expired = Metrics.counter(ExactDuplicates.class, "keys_expired");
    private final ItemKeys<T> keys;
    private final long horizonMillis;
    private final TupleTag<KV<T, Match>> duplicates;

    @StateId("pending")
    private final StateSpec<BagState<TimestampedValue<T>>> pendingSpec;

    @StateId("root")
    private final StateSpec<ValueState<Root>> rootSpec = StateSpecs.value(Root.RootCoder.INSTANCE);

    @StateId("decideAt")
    private final StateSpec<ValueState<Long>> decideAtSpec =
        StateSpecs.value(BigEndianLongCoder.of());

    @TimerId("decide")
    private final TimerSpec decideSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @TimerId("expire")
    private final TimerSpec expireSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    ExactFn(ItemKeys<T> keys, long horizonMillis, Coder<T> itemCoder,
        TupleTag<KV<T, Match>> duplicates) {
      this.keys = keys;
      this.horizonMillis = horizonMillis;
      this.duplicates = duplicates;
      this.pendingSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(itemCoder));
    }

    @ProcessElement
    public void process(@Element KV<String, T> e, @Timestamp Instant ts,
        @StateId("pending") BagState<TimestampedValue<T>> pending,
        @StateId("decideAt") ValueState<Long> decideAt, @TimerId("decide") Timer decide) {
      pending.add(TimestampedValue.of(e.getValue(), ts));
      DecideTimers.onArrival(decide, decideAt, ts.getMillis());
    }

    @OnTimer("decide")
    public void onDecide(OnTimerContext context,
        @StateId("pending") BagState<TimestampedValue<T>> pending,
        @StateId("root") ValueState<Root> rootState,
        @StateId("decideAt") ValueState<Long> decideAt, @TimerId("decide") Timer decide,
        @TimerId("expire") Timer expire) {
      long firing = context.fireTimestamp().getMillis();
      List<TimestampedValue<T>> ready = new ArrayList<>();
      List<TimestampedValue<T>> waiting = new ArrayList<>();
      long earliestWaiting = Long.MAX_VALUE;
      for (TimestampedValue<T> p : pending.read()) {
        if (DecideTimers.ready(p.getTimestamp().getMillis(), firing)) {
          ready.add(p);
        } else {
          waiting.add(p);
          earliestWaiting = Math.min(earliestWaiting, p.getTimestamp().getMillis());
        }
      }
      ready.sort(Comparator.<TimestampedValue<T>>comparingLong(p -> p.getTimestamp().getMillis())
          .thenComparing(p -> keys.orderKey(p.getValue()))
          .thenComparing(p -> keys.id(p.getValue())));
      Root root = rootState.read();
      for (TimestampedValue<T> p : ready) {
        T item = p.getValue();
        long t = p.getTimestamp().getMillis();
        if (root != null && t - root.lastSeen() <= horizonMillis) {
          duplicateCount.inc();
          context.outputWithTimestamp(duplicates, KV.of(item, root.kept()), p.getTimestamp());
          root = new Root(root.kept(), Math.max(root.lastSeen(), t));
        } else {
          root = new Root(new Match(keys.id(item), t, keys.orderKey(item), 1.0), t);
          context.outputWithTimestamp(item, p.getTimestamp());
        }
      }
      pending.clear();
      for (TimestampedValue<T> w : waiting) {
        pending.add(w);
      }
      if (root != null) {
        rootState.write(root);
        DecideTimers.expireAfter(expire, root.lastSeen(), horizonMillis, firing);
      }
      DecideTimers.rearm(decide, decideAt, earliestWaiting);
    }

    @OnTimer("expire")
    public void onExpire(OnTimerContext context,
        @StateId("pending") BagState<TimestampedValue<T>> pending,
        @StateId("root") ValueState<Root> rootState) {
      Root root = rootState.read();
      if (root == null) {
        return;
      }
      long cutoff = context.fireTimestamp().getMillis();
      for (TimestampedValue<T> p : pending.read()) {
        cutoff = Math.min(cutoff, p.getTimestamp().getMillis());
      }
      if (root.lastSeen() + horizonMillis < cutoff) {
        expired.inc();
        rootState.clear();
      }
      // else an item within the horizon still waits; its decide timer sets this timer again
    }
  }
}
