package org.in2stream.pipeline.source;

import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * KafkaIO timestamp policy of the streaming job: Kafka timestamps as event time, clamped per
 * partition by {@link EventTimeClamp} (the same rule the replay source applies), so no record is ever
 * late. A partition with no backlog lets its watermark follow the broker's clock minus the delay, so
 * an idle partition does not hold every window open; a record that then arrives with a timestamp
 * further behind than the delay is clamped, which a replay reproduces only if it sees the same idle
 * gaps (topics with {@code message.timestamp.type=LogAppendTime} never hit this case).
 */
public final class ClampingTimestampPolicy extends TimestampPolicy<byte[], byte[]> {
  private final EventTimeClamp clamp;
  private final long maxDelayMillis;

  ClampingTimestampPolicy(long maxDelayMillis, Optional<Instant> previousWatermark) {
    this.maxDelayMillis = maxDelayMillis;
    this.clamp = new EventTimeClamp(maxDelayMillis,
        previousWatermark.map(Instant::getMillis).orElse(Long.MIN_VALUE));
  }

  /** The factory KafkaIO calls per partition, with the checkpointed watermark on a restore. */
  public static TimestampPolicyFactory<byte[], byte[]> factory(long maxDelayMillis) {
    return (tp, previousWatermark) -> new ClampingTimestampPolicy(maxDelayMillis,
        previousWatermark);
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext ctx, KafkaRecord<byte[], byte[]> record) {
    return new Instant(clamp.eventTime(record.getTimestamp()));
  }

  @Override
  public Instant getWatermark(PartitionContext ctx) {
    if (ctx.getMessageBacklog() == 0 && ctx.getBacklogCheckTime() != null) {
      clamp.advanceTo(ctx.getBacklogCheckTime().getMillis() - maxDelayMillis);
    }
    long w = clamp.watermark();
    return w == Long.MIN_VALUE ? BoundedWindow.TIMESTAMP_MIN_VALUE : new Instant(w);
  }
}
