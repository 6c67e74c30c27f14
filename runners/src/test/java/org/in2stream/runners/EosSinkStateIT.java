package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.in2stream.pipeline.sink.WriteExamples;
import org.in2stream.runners.tools.EosSinkState;
import org.in2stream.runners.tools.ProduceDocs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link EosSinkState} against a real broker: shard state committed the way Beam's exactly-once
 * writer commits it (offset metadata {@code {"seq":N,"id":"..."}} of partition {@code shard}, sent in
 * the transaction that writes the records) is read back, and a reset of one shard removes that
 * shard's state only.
 */
class EosSinkStateIT {
  @RegisterExtension
  static final EmbeddedKafka.PerClass KAFKA = new EmbeddedKafka.PerClass();

  /** Writes {@code records} records in one transaction and commits the shard's metadata with it. */
  private static void writeLikeTheSink(String topic, int shard, int records, String writer) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "producer_" + shard + "_for_" + topic);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, "example-" + shard + "-" + i, "v"));
      }
      producer.sendOffsetsToTransaction(Map.of(new TopicPartition(topic, shard),
          new OffsetAndMetadata(0L, "{\"seq\":" + (records - 1) + ",\"id\":\"" + writer + "\"}")),
          WriteExamples.sinkGroupId(topic));
      producer.commitTransaction();
    }
  }

  @Test
  void readsAndResetsTheWriterStateOfEachShard() throws Exception {
    String topic = "eos-state-out";
    ProduceDocs.recreateTopic(KAFKA.bootstrapServers(), topic, 2);
    writeLikeTheSink(topic, 0, 5, "A1 - 2026-12-01 10:00:00");
    writeLikeTheSink(topic, 1, 3, "B2 - 2026-12-01 10:00:01");

    Properties props = new Properties();
    props.put("bootstrap.servers", KAFKA.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      Map<Integer, EosSinkState.Shard> shards = EosSinkState.read(admin, topic);
      assertEquals(Set.of(0, 1), shards.keySet());
      assertEquals(4, shards.get(0).committedSeq());
      assertEquals(5, shards.get(0).committedRecords());
      assertEquals("A1 - 2026-12-01 10:00:00", shards.get(0).writerId());
      assertEquals(2, shards.get(1).committedSeq());

      assertEquals(3, EosSinkState.reset(admin, topic, Set.of(1)), "records shard 1 committed");
      Map<Integer, EosSinkState.Shard> after = EosSinkState.read(admin, topic);
      assertEquals(Set.of(0), after.keySet(), "only shard 1 was reset");
      assertEquals(shards.get(0), after.get(0));

      assertEquals(5, EosSinkState.reset(admin, topic, Set.of(0, 1)));
      assertTrue(EosSinkState.read(admin, topic).isEmpty());
    }
  }
}
