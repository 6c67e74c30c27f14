package org.in2stream.pipeline.assemble;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Brings each element of a fixed event-time window W together with one value computed for W over its
 * horizon (the filler pool of the sliding window that ends where W ends), by a keyed join instead of
 * a side input.
 *
 * <p>Why not a side input: on the Flink runner a side input's contents are kept for every window
 * that ever had one and are never dropped (Beam's SideInputHandler has no garbage collection,
 * apache/beam#18242); they live in operator state, which the heap backend deep-copies through the
 * coder at every checkpoint. With a pool per 10 s window that state, and the time spent copying it,
 * grew without bound. A join holds a pool only until its window fires and then forgets it.
 *
 * <p>How: the elements of a window are spread over {@link #SHARDS} shards (a hash of a stable string
 * of the element, so the shard never depends on arrival or worker; the key mixes shard and window,
 * {@link #keyOf}), the per-window value is copied once per shard, re-timestamped to the end of its
 * sliding window (the last instant of W) and put into the
 * elements' fixed windows; a {@link CoGroupByKey} then fires each (shard, W) group once, when the
 * watermark passes the end of W, the moment the side input became ready before. What the grouped
 * DoFn makes of each element depends only on the element and the value, never on the shard or on
 * the order in the group.
 */
final class JoinWithPool<T, V> extends PTransform<PCollection<T>, PCollection<KV<Integer, CoGbkResult>>> {
  /**
   * Shards of the join: each holds a copy of the window's value, so this bounds the copies; more
   * shards than the parallelism of the job let Flink's key groups spread the work over all subtasks.
   */
  static final int SHARDS = 4;

  private final PCollection<V> perWindow;
  private final Coder<V> valueCoder;
  private final SerializableFunction<T, String> shardKey;
  private final TupleTag<T> itemTag;
  private final TupleTag<V> valueTag;

  /**
   * @param perWindow one value per window of the horizon's sliding windows
   * @param shardKey a stable string of an element; its hash picks the shard
   */
  JoinWithPool(PCollection<V> perWindow, Coder<V> valueCoder,
      SerializableFunction<T, String> shardKey, TupleTag<T> itemTag, TupleTag<V> valueTag) {
    this.perWindow = perWindow;
    this.valueCoder = valueCoder;
    this.shardKey = shardKey;
    this.itemTag = itemTag;
    this.valueTag = valueTag;
  }

  /** The window's value in one joined group (one copy per shard and window), or null if none. */
  static <V> V valueOf(CoGbkResult group, TupleTag<V> valueTag) {
    for (V value : group.getAll(valueTag)) {
      return value;
    }
    return null;
  }

  static int shardOf(String key) {
    return Math.floorMod(key.hashCode(), SHARDS);
  }

  /**
   * The join key of a shard of the fixed window that ends at {@code windowEnd}: the shard and the
   * window mixed, so that a job's groups spread over many keys, which Flink hashes onto its
   * subtasks, instead of over {@link #SHARDS} keys only (four keys on two subtasks can split 3:1,
   * and a bounded replay partitions its groups by key alone, windows inside).
   */
  static int keyOf(int shard, Instant windowEnd) {
    return 31 * Long.hashCode(windowEnd.getMillis()) + shard;
  }

  @Override
  @SuppressWarnings("unchecked")
  public PCollection<KV<Integer, CoGbkResult>> expand(PCollection<T> items) {
    WindowFn<Object, ?> windows = (WindowFn<Object, ?>) items.getWindowingStrategy().getWindowFn();
    PCollection<KV<Integer, T>> keyed = items
        .apply("ShardItems", ParDo.of(new ShardFn<>(shardKey)))
        .setCoder(KvCoder.of(VarIntCoder.of(), items.getCoder()));
    PCollection<KV<Integer, V>> copies = perWindow
        .apply("CopyPerShard", ParDo.of(new CopyPerShardFn<V>()))
        .setCoder(KvCoder.of(VarIntCoder.of(), valueCoder))
        .apply("IntoItemWindows", Window.<KV<Integer, V>>into(windows));
    return KeyedPCollectionTuple.of(itemTag, keyed).and(valueTag, copies)
        .apply("Join", CoGroupByKey.create());
  }

  static final class ShardFn<T> extends DoFn<T, KV<Integer, T>> {
    private final SerializableFunction<T, String> shardKey;

    ShardFn(SerializableFunction<T, String> shardKey) {
      this.shardKey = shardKey;
    }

    @ProcessElement
    public void process(@Element T item, BoundedWindow window,
        OutputReceiver<KV<Integer, T>> out) {
      out.output(KV.of(keyOf(shardOf(shardKey.apply(item)), window.maxTimestamp()), item));
    }
  }

  /**
   * One copy per shard, at the last instant of the value's (sliding) window, which is the last
   * instant of the fixed window whose horizon it is.
   */
  static final class CopyPerShardFn<V> extends DoFn<V, KV<Integer, V>> {
    @ProcessElement
    public void process(@Element V value, BoundedWindow window,
        OutputReceiver<KV<Integer, V>> out) {
      for (int shard = 0; shard < SHARDS; shard++) {
        out.outputWithTimestamp(KV.of(keyOf(shard, window.maxTimestamp()), value),
            window.maxTimestamp());
      }
    }
  }
}
