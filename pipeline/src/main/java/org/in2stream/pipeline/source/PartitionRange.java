package org.in2stream.pipeline.source;

import java.io.Serializable;

/** Offsets {@code [from, to)} of one partition. */
public record PartitionRange(String topic, int partition, long from, long to)
    implements Serializable {
  public long size() {
    return Math.max(0, to - from);
  }

  @Override
  public String toString() {
    return topic + "/" + partition + "[" + from + "," + to + ")";
  }
}
