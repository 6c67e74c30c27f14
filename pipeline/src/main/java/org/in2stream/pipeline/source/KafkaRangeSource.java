package org.in2stream.pipeline.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.in2stream.pipeline.util.KafkaClientProperties;
import org.in2stream.schema.RawRecord;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded read of exact offset ranges, one split per partition, with event times from {@link
 * EventTimeClamp}. KafkaIO can only bound a read on the Flink runner by a record count or through its
 * splittable-DoFn reader (which DESIGN.md section 6 steers clear of), so a replay of {@code [from,
 * to)} per partition needs this small source. It reads {@code read_committed}, steps over offset gaps
 * (transaction markers, compaction), and logs progress and an ETA every ten seconds.
 */
public final class KafkaRangeSource extends BoundedSource<RawRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaRangeSource.class);
  private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;
  private static final Duration POLL = Duration.ofMillis(500);
  private static final long STALL_LIMIT_MILLIS = 120_000;

  private final String bootstrapServers;
  private final List<PartitionRange> ranges;
  private final long maxDelayMillis;
  /** Extra client properties (references resolved on the worker: KafkaClientProperties). */
  private final HashMap<String, Object> clientProperties;
  /** Records of the whole replay (every range of the source this one was split from). */
  private final long replayRecords;

  public KafkaRangeSource(String bootstrapServers, List<PartitionRange> ranges,
      long maxDelayMillis) {
    this(bootstrapServers, ranges, maxDelayMillis, Map.of());
  }

  public KafkaRangeSource(String bootstrapServers, List<PartitionRange> ranges,
      long maxDelayMillis, Map<String, Object> clientProperties) {
    this.bootstrapServers = bootstrapServers;
    this.ranges = List.copyOf(ranges);
    this.maxDelayMillis = maxDelayMillis;
    this.clientProperties = new HashMap<>(clientProperties);
    this.replayRecords = ranges.stream().mapToLong(PartitionRange::size).sum();
  }

  private KafkaRangeSource(KafkaRangeSource whole, PartitionRange range) {
    this.bootstrapServers = whole.bootstrapServers;
    this.ranges = List.of(range);
    this.maxDelayMillis = whole.maxDelayMillis;
    this.clientProperties = whole.clientProperties;
    this.replayRecords = whole.replayRecords;
  }

  @Override
  public List<? extends BoundedSource<RawRecord>> split(long desiredBundleSizeBytes,
      PipelineOptions options) {
    // One split per partition: event times are clamped in partition order from the range start.
    List<KafkaRangeSource> splits = new ArrayList<>();
    for (PartitionRange r : ranges) {
      if (r.size() > 0) {
        splits.add(new KafkaRangeSource(this, r));
      }
    }
    return splits;
  }

  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) {
    return ranges.stream().mapToLong(PartitionRange::size).sum() * 2_048;
  }

  @Override
  public Coder<RawRecord> getOutputCoder() {
    return AvroCoder.specific(RawRecord.class);
  }

  @Override
  public BoundedReader<RawRecord> createReader(PipelineOptions options) {
    return new Reader(this);
  }

  static final class Reader extends BoundedReader<RawRecord> {
    private final KafkaRangeSource source;
    private final Counter read = Metrics.counter(KafkaRangeSource.class, "records_read");
    private final Counter clampedCounter =
        Metrics.counter(KafkaRangeSource.class, "event_times_clamped");
    /**
     * The size of the whole replay, the same value from every split, so that a status tool can
     * give progress and an ETA before every split has started (Flink hands splits out lazily).
     */
    private final Gauge replayRecords = Metrics.gauge(KafkaRangeSource.class, "replay_records");
    private KafkaConsumer<byte[], byte[]> consumer;
    private final Map<Integer, EventTimeClamp> clamps = new HashMap<>();
    private final Map<Integer, PartitionRange> byPartition = new HashMap<>();
    private Iterator<ConsumerRecord<byte[], byte[]>> batch = List.<ConsumerRecord<byte[], byte[]>>of()
        .iterator();
    private RawRecord current;
    private Instant currentTimestamp;
    private long done;
    private long total;
    private long startNanos;
    private long lastLogNanos;

    Reader(KafkaRangeSource source) {
      this.source = source;
    }

    @Override
    public boolean start() throws IOException {
      Map<String, Object> props = new HashMap<>();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source.bootstrapServers);
      props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumer = new KafkaConsumer<>(
          KafkaClientProperties.merge(props, source.clientProperties));
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionRange r : source.ranges) {
        tps.add(new TopicPartition(r.topic(), r.partition()));
        byPartition.put(r.partition(), r);
        clamps.put(r.partition(), new EventTimeClamp(source.maxDelayMillis, Long.MIN_VALUE));
        total += r.size();
      }
      consumer.assign(tps);
      for (PartitionRange r : source.ranges) {
        consumer.seek(new TopicPartition(r.topic(), r.partition()), r.from());
      }
      replayRecords.set(source.replayRecords);
      startNanos = System.nanoTime();
      lastLogNanos = startNanos;
      return advance();
    }

    @Override
    public boolean advance() throws IOException {
      long stalledSince = System.currentTimeMillis();
      while (true) {
        while (batch.hasNext()) {
          ConsumerRecord<byte[], byte[]> r = batch.next();
          PartitionRange range = byPartition.get(r.partition());
          if (r.offset() < range.from() || r.offset() >= range.to()) {
            continue;
          }
          long eventTime = clamps.get(r.partition()).eventTime(r.timestamp());
          current = RawRecord.newBuilder()
              .setTopic(r.topic())
              .setPartition(r.partition())
              .setOffset(r.offset())
              .setTimestamp(r.timestamp())
              .setKey(r.key() == null ? null : ByteBuffer.wrap(r.key()))
              .setValue(r.value() == null ? null : ByteBuffer.wrap(r.value()))
              .build();
          currentTimestamp = new Instant(eventTime);
          done = r.offset() + 1 - range.from();
          read.inc();
          logProgress();
          return true;
        }
        if (allDone()) {
          long clamped = clamps.values().stream().mapToLong(EventTimeClamp::clampedCount).sum();
          clampedCounter.inc(clamped);
          LOG.info("replay of {} finished: {} records in {} s", source.ranges, total,
              (System.nanoTime() - startNanos) / 1_000_000_000L);
          return false;
        }
        var records = consumer.poll(POLL);
        if (records.isEmpty()) {
          if (System.currentTimeMillis() - stalledSince > STALL_LIMIT_MILLIS) {
            throw new IOException("no progress for " + STALL_LIMIT_MILLIS / 1000 + " s reading "
                + source.ranges + " (positions " + positions() + ")");
          }
        } else {
          stalledSince = System.currentTimeMillis();
        }
        batch = records.iterator();
      }
    }

    private boolean allDone() {
      for (PartitionRange r : source.ranges) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (consumer.position(tp) < r.to()) {
          return false;
        }
      }
      return !batch.hasNext();
    }

    private Map<Integer, Long> positions() {
      Map<Integer, Long> p = new HashMap<>();
      for (PartitionRange r : source.ranges) {
        p.put(r.partition(), consumer.position(new TopicPartition(r.topic(), r.partition())));
      }
      return p;
    }

    private void logProgress() {
      long now = System.nanoTime();
      if (now - lastLogNanos < PROGRESS_EVERY_NANOS) {
        return;
      }
      lastLogNanos = now;
      double seconds = (now - startNanos) / 1e9;
      double rate = done / Math.max(seconds, 1e-3);
      long eta = rate > 0 ? Math.round((total - done) / rate) : -1;
      LOG.info(String.format("replay %s: %,d / %,d records (%.1f%%), %.0f records/s, ETA %d s",
          source.ranges, done, total, 100.0 * done / Math.max(1, total), rate, eta));
    }

    @Override
    public RawRecord getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (currentTimestamp == null) {
        throw new NoSuchElementException();
      }
      return currentTimestamp;
    }

    @Override
    public Double getFractionConsumed() {
      return total == 0 ? 1.0 : (double) done / total;
    }

    @Override
    public void close() {
      if (consumer != null) {
        consumer.close(Duration.ofSeconds(5));
      }
    }

    @Override
    public BoundedSource<RawRecord> getCurrentSource() {
      return source;
    }
  }
}
