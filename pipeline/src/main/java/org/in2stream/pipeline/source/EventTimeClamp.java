package org.in2stream.pipeline.source;

import java.io.Serializable;

/**
 * Event time of records read from one Kafka partition, in partition order. A record whose timestamp
 * is more than {@code maxDelayMillis} behind the largest timestamp seen so far in its partition gets
 * that bound as its event time instead (and is counted). So no record is ever behind the watermark
 * (largest timestamp minus the delay), none is dropped as late, and — because it depends only on the
 * partition's order — a replay from the same start offset assigns exactly the same event times.
 */
public final class EventTimeClamp implements Serializable {
  private final long maxDelayMillis;
  private long watermark;
  private long clamped;

  /** @param watermark the restored watermark, or {@code Long.MIN_VALUE} for a fresh start */
  public EventTimeClamp(long maxDelayMillis, long watermark) {
    this.maxDelayMillis = maxDelayMillis;
    this.watermark = watermark;
  }

  /** The event time of the next record of the partition; advances the watermark. */
  public long eventTime(long kafkaTimestamp) {
    long t = kafkaTimestamp;
    if (t < watermark) {
      clamped++;
      t = watermark;
    }
    long candidate = t - maxDelayMillis;
    if (candidate > watermark) {
      watermark = candidate;
    }
    return t;
  }

  /** Everything at or after this time may still arrive; nothing earlier will be emitted. */
  public long watermark() {
    return watermark;
  }

  /** Moves the watermark forward (never back), e.g. when the partition is idle. */
  public void advanceTo(long millis) {
    watermark = Math.max(watermark, millis);
  }

  /** How many records got the watermark instead of their own timestamp. */
  public long clampedCount() {
    return clamped;
  }
}
