package org.in2stream.pipeline.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.in2stream.pipeline.util.KafkaClientProperties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Resolves a replay's bounds into per-partition offset ranges, once, before the job starts. A bound
 * is {@code earliest}, {@code latest} (the end offsets at resolution time), a list of per-partition
 * offsets {@code 0:120,1:98}, or a timestamp in epoch milliseconds {@code @1700000000000} (the first
 * offset at or after it). The resolved ranges are logged and travel with the job, so the job reads
 * exactly them however long it runs.
 */
public final class ReplayRanges {
  private ReplayRanges() {}

  /** Checks the syntax of a bound; returns an error message or null. */
  public static String validate(String bound, String flag) {
    try {
      parse(bound);
      return null;
    } catch (IllegalArgumentException e) {
      return flag + "=" + bound + ": " + e.getMessage()
          + " (use earliest, latest, @<epoch-millis> or <partition>:<offset>,...)";
    }
  }

  private sealed interface Bound permits Earliest, Latest, AtTime, Offsets {}

  private record Earliest() implements Bound {}

  private record Latest() implements Bound {}

  private record AtTime(long millis) implements Bound {}

  private record Offsets(Map<Integer, Long> offsets) implements Bound {}

  private static Bound parse(String s) {
    String v = s.trim();
    if (v.equals("earliest")) {
      return new Earliest();
    }
    if (v.equals("latest")) {
      return new Latest();
    }
    if (v.startsWith("@")) {
      return new AtTime(Long.parseLong(v.substring(1)));
    }
    Map<Integer, Long> offsets = new HashMap<>();
    for (String part : v.split(",")) {
      String[] kv = part.trim().split(":");
      if (kv.length != 2) {
        throw new IllegalArgumentException("bad partition:offset pair '" + part + "'");
      }
      offsets.put(Integer.parseInt(kv[0].trim()), Long.parseLong(kv[1].trim()));
    }
    return new Offsets(offsets);
  }

  /** Resolves {@code [from, to)} for every partition of {@code topic}. */
  public static List<PartitionRange> resolve(String bootstrapServers, String topic, String from,
      String to) {
    return resolve(bootstrapServers, topic, from, to, Map.of());
  }

  /** {@link #resolve(String, String, String, String)} with extra client properties. */
  public static List<PartitionRange> resolve(String bootstrapServers, String topic, String from,
      String to, Map<String, Object> clientProperties) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        KafkaClientProperties.merge(props, clientProperties))) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(20));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
      }
      List<TopicPartition> tps = new ArrayList<>();
      infos.forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
      tps.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps, Duration.ofSeconds(20));
      Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(20));
      Map<TopicPartition, Long> starts = offsets(consumer, parse(from), tps, begin, end);
      Map<TopicPartition, Long> stops = offsets(consumer, parse(to), tps, begin, end);
      List<PartitionRange> ranges = new ArrayList<>();
      for (TopicPartition tp : tps) {
        long a = Math.max(starts.get(tp), begin.get(tp));
        long b = Math.min(stops.get(tp), end.get(tp));
        ranges.add(new PartitionRange(topic, tp.partition(), a, Math.max(a, b)));
      }
      return ranges;
    }
  }

  private static Map<TopicPartition, Long> offsets(KafkaConsumer<byte[], byte[]> consumer,
      Bound bound, List<TopicPartition> tps, Map<TopicPartition, Long> begin,
      Map<TopicPartition, Long> end) {
    Map<TopicPartition, Long> out = new HashMap<>();
    if (bound instanceof Earliest) {
      out.putAll(begin);
    } else if (bound instanceof Latest) {
      out.putAll(end);
    } else if (bound instanceof AtTime t) {
      Map<TopicPartition, Long> query = new HashMap<>();
      tps.forEach(tp -> query.put(tp, t.millis()));
      Map<TopicPartition, OffsetAndTimestamp> found =
          consumer.offsetsForTimes(query, Duration.ofSeconds(20));
      for (TopicPartition tp : tps) {
        OffsetAndTimestamp o = found.get(tp);
        out.put(tp, o == null ? end.get(tp) : o.offset());
      }
    } else if (bound instanceof Offsets o) {
      for (TopicPartition tp : tps) {
        Long given = o.offsets().get(tp.partition());
        if (given == null) {
          throw new IllegalArgumentException("no offset given for partition " + tp.partition()
              + " of " + tp.topic() + " (it has " + tps.size() + " partitions)");
        }
        out.put(tp, given);
      }
    }
    return out;
  }
}
