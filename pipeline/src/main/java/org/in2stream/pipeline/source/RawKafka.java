package org.in2stream.pipeline.source;

import com.google.common.collect.ImmutableMap;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.in2stream.pipeline.util.KafkaClientProperties;
import org.in2stream.schema.RawRecord;

/** The two ways raw records come from Kafka: a bounded replay of offset ranges, or a stream. */
public final class RawKafka {
  private RawKafka() {}

  /** Exactly the given ranges, then the end. */
  public static PTransform<PBegin, PCollection<RawRecord>> replay(String bootstrapServers,
      List<PartitionRange> ranges, long maxDelayMillis) {
    return replay(bootstrapServers, ranges, maxDelayMillis, Map.of());
  }

  /** {@link #replay(String, List, long)} with extra client properties ({@code --kafkaProperties}). */
  public static PTransform<PBegin, PCollection<RawRecord>> replay(String bootstrapServers,
      List<PartitionRange> ranges, long maxDelayMillis, Map<String, Object> clientProperties) {
    return Read.from(new KafkaRangeSource(bootstrapServers, ranges, maxDelayMillis,
        clientProperties));
  }

  /**
   * Unbounded: KafkaIO's classic reader from the group's committed offsets (else {@code
   * streamStart}), event times clamped per partition; offsets are committed when a checkpoint is
   * finalized, for monitoring — the Flink checkpoint holds the real positions.
   */
  public static PTransform<PBegin, PCollection<RawRecord>> stream(String bootstrapServers,
      String topic, String consumerGroup, String streamStart, long maxDelayMillis) {
    return stream(bootstrapServers, topic, consumerGroup, streamStart, maxDelayMillis, Map.of());
  }

  /** {@link #stream(String, String, String, String, long)} with extra client properties. */
  public static PTransform<PBegin, PCollection<RawRecord>> stream(String bootstrapServers,
      String topic, String consumerGroup, String streamStart, long maxDelayMillis,
      Map<String, Object> clientProperties) {
    return new Stream(bootstrapServers, topic, consumerGroup, streamStart, maxDelayMillis,
        clientProperties);
  }

  private static final class Stream extends PTransform<PBegin, PCollection<RawRecord>> {
    private final String bootstrapServers;
    private final String topic;
    private final String consumerGroup;
    private final String streamStart;
    private final long maxDelayMillis;
    private final HashMap<String, Object> clientProperties;

    Stream(String bootstrapServers, String topic, String consumerGroup, String streamStart,
        long maxDelayMillis, Map<String, Object> clientProperties) {
      this.clientProperties = new HashMap<>(clientProperties);
      this.bootstrapServers = bootstrapServers;
      this.topic = topic;
      this.consumerGroup = consumerGroup;
      this.streamStart = streamStart;
      this.maxDelayMillis = maxDelayMillis;
    }

    @Override
    public PCollection<RawRecord> expand(PBegin input) {
      return input
          .apply("Kafka", KafkaIO.<byte[], byte[]>read()
              .withBootstrapServers(bootstrapServers)
              .withTopic(topic)
              .withKeyDeserializer(ByteArrayDeserializer.class)
              .withValueDeserializer(ByteArrayDeserializer.class)
              .withConsumerConfigUpdates(KafkaClientProperties.merge(ImmutableMap.of(
                  ConsumerConfig.GROUP_ID_CONFIG, consumerGroup,
                  ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, streamStart,
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), clientProperties))
              .withTimestampPolicyFactory(ClampingTimestampPolicy.factory(maxDelayMillis))
              .commitOffsetsInFinalize())
          .apply("ToRawRecord", MapElements.into(TypeDescriptor.of(RawRecord.class))
              .via(Stream::toRaw));
    }

    private static RawRecord toRaw(KafkaRecord<byte[], byte[]> r) {
      byte[] key = r.getKV().getKey();
      byte[] value = r.getKV().getValue();
      return RawRecord.newBuilder()
          .setTopic(r.getTopic())
          .setPartition(r.getPartition())
          .setOffset(r.getOffset())
          .setTimestamp(r.getTimestamp())
          .setKey(key == null ? null : ByteBuffer.wrap(key))
          .setValue(value == null ? null : ByteBuffer.wrap(value))
          .build();
    }
  }
}
