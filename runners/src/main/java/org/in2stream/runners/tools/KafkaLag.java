package org.in2stream.runners.tools;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.in2stream.pipeline.util.KafkaClientProperties;

/**
 * The input lag of a streaming job per Kafka partition: the log end offset minus the offset its
 * consumer group committed. The job commits its read positions when a checkpoint completes
 * (KafkaIO's {@code commitOffsetsInFinalize}, group {@code --consumerGroup}), so the lag is what the
 * job has not yet read <em>and checkpointed</em>: it shrinks in steps, once per checkpoint. A
 * partition of the job's topics with no committed offset yet counts from its earliest offset.
 */
public final class KafkaLag {
  /** One partition: committed offset (-1 when none), earliest and log end offsets, and the lag. */
  public record Row(String topic, int partition, long committed, long earliest, long end) {
    public long lag() {
      return Math.max(0, end - (committed < 0 ? earliest : committed));
    }
  }

  private KafkaLag() {}

  /**
   * The rows of every partition of {@code topics} for {@code group}, sorted by topic and partition;
   * with no topics given, of the topics the group has committed offsets for.
   *
   * @param clientProperties extra client settings (TLS, SASL) from {@code --kafkaProperties}
   */
  public static List<Row> of(String bootstrapServers, String group, List<String> topics,
      Map<String, Object> clientProperties) throws Exception {
    Map<String, Object> config = new HashMap<>(clientProperties);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(config)) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      if (topics.isEmpty()) {
        topics = committed.keySet().stream().map(TopicPartition::topic).distinct().sorted()
            .toList();
        if (topics.isEmpty()) {
          return List.of();
        }
      }
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS)
          .forEach((name, d) -> d.partitions().forEach(p -> {
            TopicPartition tp = new TopicPartition(name, p.partition());
            earliest.put(tp, OffsetSpec.earliest());
            latest.put(tp, OffsetSpec.latest());
          }));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> first =
          admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> last =
          admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
      List<Row> rows = new ArrayList<>();
      for (TopicPartition tp : latest.keySet()) {
        OffsetAndMetadata c = committed.get(tp);
        rows.add(new Row(tp.topic(), tp.partition(), c == null ? -1 : c.offset(),
            first.get(tp).offset(), last.get(tp).offset()));
      }
      rows.sort((a, b) -> a.topic().equals(b.topic())
          ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
      return rows;
    }
  }

  /** The rows as {@code scripts/status.sh} prints them, with the total. */
  public static void print(PrintStream out, String group, List<Row> rows) {
    if (rows.isEmpty()) {
      out.printf(Locale.ROOT, "  input lag by partition: consumer group %s has committed nothing "
          + "yet (the job commits when a checkpoint completes; or pass --topics)%n", group);
      return;
    }
    long total = rows.stream().mapToLong(Row::lag).sum();
    out.printf(Locale.ROOT, "  input lag by partition (consumer group %s, committed at each "
        + "checkpoint): %,d records in all%n", group, total);
    for (Row r : rows) {
      out.printf(Locale.ROOT, "    %-40s %,12d lag   committed %s of %,d%n",
          r.topic() + "/" + r.partition(), r.lag(),
          r.committed() < 0 ? "nothing" : String.format(Locale.ROOT, "%,d", r.committed()),
          r.end());
    }
  }

  /** {@code --kafkaProperties} as client settings (empty when not given). */
  static Map<String, Object> clientProperties(String file) {
    return file == null || file.isBlank() ? Map.of() : KafkaClientProperties.load(file);
  }
}
