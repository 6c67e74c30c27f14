package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.in2stream.runners.tools.KafkaLag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code status.sh}'s input lag per partition against a real broker: a group that committed 2 of
 * the 5 records of partition 0 and nothing of the 3 of partition 1 lags by 3 and 3.
 */
class KafkaLagIT {
  @RegisterExtension
  static final EmbeddedKafka.PerClass KAFKA = new EmbeddedKafka.PerClass();

  @Test
  void lagIsTheLogEndMinusTheCommittedOffsetPerPartition() throws Exception {
    String topic = "lag-docs";
    Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        KAFKA.bootstrapServers());
    try (Admin a = Admin.create(admin)) {
      a.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
        new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 8; i++) {
        p.send(new ProducerRecord<>(topic, i < 5 ? 0 : 1, "k" + i, "v" + i)).get();
      }
    }
    try (Admin a = Admin.create(admin)) {
      a.alterConsumerGroupOffsets("in2-stream-test", Map.of(new TopicPartition(topic, 0),
          new OffsetAndMetadata(2))).all().get(30, TimeUnit.SECONDS);
    }

    // With no topics named, the topics of the group's commits, every partition of them.
    List<KafkaLag.Row> rows = KafkaLag.of(KAFKA.bootstrapServers(), "in2-stream-test", List.of(),
        Map.of());
    assertEquals(List.of(new KafkaLag.Row(topic, 0, 2, 0, 5), new KafkaLag.Row(topic, 1, -1, 0,
        3)), rows);
    assertEquals(List.of(3L, 3L), rows.stream().map(KafkaLag.Row::lag).toList());

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    KafkaLag.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), "in2-stream-test", rows);
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("6 records in all"), printed);
    assertTrue(printed.contains("lag-docs/1") && printed.contains("committed nothing of 3"),
        printed);

    assertEquals(List.of(), KafkaLag.of(KAFKA.bootstrapServers(), "no-such-group", List.of(),
        Map.of()), "a group with no commits, no topics named");
  }
}
