package org.in2stream.pipeline.sink;

import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.in2stream.pipeline.failure.FailureIds;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;

/**
 * Writes the pipeline's two outputs: examples and dead letters, each to deterministic files
 * ({@link DeterministicAvroFiles}, under {@code <output>/examples/} and {@code
 * <output>/dead-letters/}; Avro, and Parquet and JSON lines beside it with {@code --outputFormats})
 * and, when topics are configured, to Kafka with exactly-once semantics
 * ({@code withEOS}; consumers read with {@code isolation.level=read_committed}). Kafka values are Avro
 * single-object encoded ({@code LongContextExample.getDecoder()} reads them); keys are record ids.
 */
public final class WriteExamples extends PTransform<PCollectionTuple, PDone> {
  public static final TupleTag<LongContextExample> EXAMPLES = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};
  public static final String EXAMPLES_DIR = "examples";
  public static final String DEAD_LETTERS_DIR = "dead-letters";

  /**
   * Where outputs go. {@code output} may be null when only topics are wanted; topics may be null.
   *
   * @param eosShards parallelism of the exactly-once Kafka writers
   * @param formats file formats written beside each other under {@code output} (Avro at least
   *     by default)
   */
  public record Sinks(String output, int numShards, String bootstrapServers, String outputTopic,
      String deadLetterTopic, int eosShards, List<OutputFormat> formats,
      java.util.Map<String, Object> kafkaProperties) implements Serializable {
    public Sinks {
      formats = List.copyOf(formats);
      if (formats.isEmpty()) {
        throw new IllegalArgumentException("at least one output format is required");
      }
      kafkaProperties = java.util.Map.copyOf(kafkaProperties);
    }

    /** Avro files only, no extra Kafka client settings. */
    public Sinks(String output, int numShards, String bootstrapServers, String outputTopic,
        String deadLetterTopic, int eosShards) {
      this(output, numShards, bootstrapServers, outputTopic, deadLetterTopic, eosShards,
          List.of(OutputFormat.AVRO), java.util.Map.of());
    }

    /** Avro files only, with extra Kafka client settings ({@code --kafkaProperties}). */
    public Sinks(String output, int numShards, String bootstrapServers, String outputTopic,
        String deadLetterTopic, int eosShards, java.util.Map<String, Object> kafkaProperties) {
      this(output, numShards, bootstrapServers, outputTopic, deadLetterTopic, eosShards,
          List.of(OutputFormat.AVRO), kafkaProperties);
    }

    public static Sinks files(String output, int numShards) {
      return new Sinks(output, numShards, null, null, null, 1);
    }

    /** The same sinks, writing {@code formats}. */
    public Sinks withFormats(List<OutputFormat> formats) {
      return new Sinks(output, numShards, bootstrapServers, outputTopic, deadLetterTopic,
          eosShards, formats, kafkaProperties);
    }
  }

  private final Sinks sinks;

  public WriteExamples(Sinks sinks) {
    this.sinks = sinks;
  }

  @Override
  public PDone expand(PCollectionTuple input) {
    PCollection<LongContextExample> examples = input.get(EXAMPLES);
    PCollection<Failure> failures = input.get(FAILURES);
    if (sinks.output() != null) {
      String base = sinks.output().endsWith("/") ? sinks.output() : sinks.output() + "/";
      examples.apply("WriteExampleFiles", new DeterministicAvroFiles<>(LongContextExample.class,
          base + EXAMPLES_DIR, sinks.numShards(), LongContextExample::getId, sinks.formats()));
      failures.apply("WriteDeadLetterFiles", new DeterministicAvroFiles<>(Failure.class,
          base + DEAD_LETTERS_DIR, sinks.numShards(), FailureIds::of, sinks.formats()));
    }
    if (sinks.outputTopic() != null) {
      examples
          .apply("EncodeExamples", encode(e -> KV.of(e.getId(), avro(e))))
          .apply("WriteExampleTopic", kafka(sinks.outputTopic()));
    }
    if (sinks.deadLetterTopic() != null) {
      failures
          .apply("EncodeDeadLetters", encode(f -> KV.of(FailureIds.of(f), avro(f))))
          .apply("WriteDeadLetterTopic", kafka(sinks.deadLetterTopic()));
    }
    return PDone.in(input.getPipeline());
  }

  private static <T> MapElements<T, KV<String, byte[]>> encode(
      SerializableFunction<T, KV<String, byte[]>> fn) {
    return MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
        org.apache.beam.sdk.values.TypeDescriptor.of(byte[].class))).via(fn);
  }

  private static byte[] avro(LongContextExample e) {
    try {
      return toArray(LongContextExample.getEncoder().encode(e));
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  private static byte[] avro(Failure f) {
    try {
      return toArray(Failure.getEncoder().encode(f));
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  private static byte[] toArray(java.nio.ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** An exactly-once Kafka writer; its sink group id is stable per topic, across restarts. */
  private PTransform<PCollection<KV<String, byte[]>>, PDone> kafka(String topic) {
    return KafkaIO.<String, byte[]>write()
        .withBootstrapServers(sinks.bootstrapServers())
        .withTopic(topic)
        .withKeySerializer(StringSerializer.class)
        .withValueSerializer(ByteArraySerializer.class)
        .withProducerConfigUpdates(sinks.kafkaProperties())
        .withConsumerFactoryFn(org.in2stream.pipeline.util.KafkaClientProperties.consumerFactory(
            sinks.kafkaProperties()))
        .withEOS(sinks.eosShards(), sinkGroupId(topic));
  }

  /**
   * The consumer group under which Beam's exactly-once writer of {@code topic} keeps each shard's
   * progress (writer id and last committed sequence number, as the offset metadata of partition
   * {@code shard}). Stable across restarts; {@code EosSinkState} reads and resets it.
   */
  public static String sinkGroupId(String topic) {
    return "in2-stream-sink-" + topic;
  }

  /** Coder of the encoded records (for tests that build the same shapes). */
  static KvCoder<String, byte[]> encodedCoder() {
    return KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of());
  }
}
