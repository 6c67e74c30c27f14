package org.in2stream.runners.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.in2stream.pipeline.sink.WriteExamples;

/**
 * Shows, and on request clears, what Beam's exactly-once Kafka writer keeps on the broker for a
 * topic: per shard, the writer id and the last committed sequence number, stored as the offset
 * metadata of partition {@code shard} in the consumer group {@link WriteExamples#sinkGroupId}.
 *
 * <p>It exists for one failure: a job restored from a checkpoint taken before a shard's first
 * transaction (a crash within one checkpoint interval of the shard's first output), or a new job
 * (not restored) writing to a topic an earlier job wrote, fails in a loop with "Kafka metadata exists
 * for shard N, but there is no stored state for it". Beam cannot tell those cases apart from a
 * misconfigured group, so it refuses. {@code --reset=true} deletes the group's offsets of the named
 * shards (all by default) so the job can start; the README's runbook says when that writes records
 * again: the restored job re-sends what the shard had committed before the checkpoint knew of it,
 * {@code seq + 1} records at most, byte-identical and with the same keys.
 *
 * <pre>
 *   EosSinkState --bootstrapServers=H:P --topic=T [--shards=0,1] [--reset=true]
 * </pre>
 *
 * The job must be stopped while resetting (the broker refuses to delete offsets of a group with
 * active members; the writer holds none, so it is on the operator).
 */
public final class EosSinkState {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EosSinkState() {}

  /** One shard's state on the broker. */
  public record Shard(int shard, long committedSeq, String writerId, String rawMetadata) {
    /** Records this writer committed (sequence numbers start at 0). */
    public long committedRecords() {
      return committedSeq + 1;
    }
  }

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = new Args(argv, Set.of("bootstrapServers", "topic", "shards", "reset"));
      args.required("topic");
    } catch (IllegalArgumentException e) {
      System.err.println("eos-sink-state: " + e.getMessage());
      System.err.println("usage: --bootstrapServers=H:P --topic=T [--shards=0,1] [--reset=true]");
      System.exit(2);
      return;
    }
    String servers = args.get("bootstrapServers", "localhost:9092");
    String topic = args.required("topic");
    boolean reset = Boolean.parseBoolean(args.get("reset", "false"));
    try (Admin admin = Admin.create(adminProps(servers))) {
      Map<Integer, Shard> shards = read(admin, topic);
      String group = WriteExamples.sinkGroupId(topic);
      if (shards.isEmpty()) {
        System.out.println("group " + group + ": no shard state (nothing written yet, or reset)");
        return;
      }
      System.out.println("group " + group + ":");
      for (Shard s : shards.values()) {
        System.out.printf("  shard %d: writer '%s', committed sequence %d (%d records)%n",
            s.shard(), s.writerId(), s.committedSeq(), s.committedRecords());
      }
      if (!reset) {
        return;
      }
      Set<Integer> chosen = args.get("shards", null) == null ? shards.keySet()
          : parseShards(args.get("shards", null));
      long records = reset(admin, topic, chosen);
      System.out.println("reset shards " + chosen + " of " + group + "; a restored job re-sends "
          + "at most " + records + " record(s) those shards had committed (same keys and bytes); "
          + "a new job writes only new records");
    }
  }

  static Properties adminProps(String servers) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    return p;
  }

  /** The shards with state on the broker, by shard number. */
  public static Map<Integer, Shard> read(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin
        .listConsumerGroupOffsets(WriteExamples.sinkGroupId(topic))
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    Map<Integer, Shard> out = new TreeMap<>();
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      if (!e.getKey().topic().equals(topic) || e.getValue() == null) {
        continue;
      }
      String meta = e.getValue().metadata();
      if (meta == null || meta.isEmpty()) {
        continue;
      }
      JsonNode n = JSON.readTree(meta);
      out.put(e.getKey().partition(), new Shard(e.getKey().partition(),
          n.path("seq").asLong(-1), n.path("id").asText(null), meta));
    }
    return out;
  }

  /** Deletes the group's offsets of these shards; returns the records they had committed. */
  public static long reset(Admin admin, String topic, Set<Integer> shards) throws Exception {
    Map<Integer, Shard> before = read(admin, topic);
    Set<TopicPartition> partitions = new TreeSet<>((a, b) -> Integer.compare(a.partition(),
        b.partition()));
    long records = 0;
    for (int shard : shards) {
      partitions.add(new TopicPartition(topic, shard));
      Shard s = before.get(shard);
      records += s == null ? 0 : s.committedRecords();
    }
    admin.deleteConsumerGroupOffsets(WriteExamples.sinkGroupId(topic), partitions).all()
        .get(30, TimeUnit.SECONDS);
    return records;
  }

  static Set<Integer> parseShards(String list) {
    Set<Integer> out = new TreeSet<>();
    List<String> bad = new ArrayList<>();
    for (String part : list.split(",")) {
      try {
        out.add(Integer.parseInt(part.trim()));
      } catch (NumberFormatException e) {
        bad.add(part);
      }
    }
    if (!bad.isEmpty() || out.isEmpty()) {
      throw new IllegalArgumentException("--shards must be a comma-separated list of numbers, got "
          + list);
    }
    return out;
  }
}
