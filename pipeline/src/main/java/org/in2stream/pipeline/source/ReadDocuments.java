package org.in2stream.pipeline.source;

import com.google.common.collect.ImmutableMap;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.RawRecord;

/**
 * Reads raw bytes from Kafka and decodes them strictly into {@link Document}s; every undecodable
 * value becomes a {@link Failure}. Decoding happens in our own DoFn (not in a KafkaIO deserializer or
 * error handler), which keeps the Flink runner on the classic unbounded reader (DESIGN.md section 6).
 */
public final class ReadDocuments extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<Document> DOCUMENTS = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  private final PTransform<PBegin, PCollection<RawRecord>> source;

  private ReadDocuments(PTransform<PBegin, PCollection<RawRecord>> source) {
    this.source = source;
  }

  /** Reads the configured topic from the earliest offsets, {@code maxRecords} records in all. */
  public static ReadDocuments fromKafka(PipelineConfig config) {
    return new ReadDocuments(new ReadKafka(config));
  }

  /** Reads from any source of raw records (tests, files). */
  public static ReadDocuments from(PTransform<PBegin, PCollection<RawRecord>> source) {
    return new ReadDocuments(source);
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    return input
        .apply("ReadRaw", source)
        .apply("Decode", ParDo.of(new DecodeFn())
            .withOutputTags(DOCUMENTS, TupleTagList.of(FAILURES)));
  }

  /** KafkaIO of raw bytes, bounded by a record count. */
  static final class ReadKafka extends PTransform<PBegin, PCollection<RawRecord>> {
    private final PipelineConfig config;

    ReadKafka(PipelineConfig config) {
      this.config = config;
    }

    @Override
    public PCollection<RawRecord> expand(PBegin input) {
      return input
          .apply("Kafka", KafkaIO.<byte[], byte[]>read()
              .withBootstrapServers(config.bootstrapServers())
              .withTopic(config.inputTopic())
              .withKeyDeserializer(ByteArrayDeserializer.class)
              .withValueDeserializer(ByteArrayDeserializer.class)
              .withConsumerConfigUpdates(ImmutableMap.of(
                  ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup(),
                  ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))
              .withMaxNumRecords(config.maxRecords()))
          .apply("ToRawRecord", MapElements.into(TypeDescriptor.of(RawRecord.class))
              .via(ReadKafka::toRaw));
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

  static final class DecodeFn extends DoFn<RawRecord, Document> {
    private final Counter read = Metrics.counter(ReadDocuments.class, "records_read");
    private final Counter decoded = Metrics.counter(ReadDocuments.class, "documents_decoded");
    private final Counter failed = Metrics.counter(ReadDocuments.class, "records_failed");

    @ProcessElement
    public void process(@Element RawRecord raw, MultiOutputReceiver out) {
      read.inc();
      DocumentDecoder.Decoded d;
      try {
        d = DocumentDecoder.decode(raw);
      } catch (RuntimeException e) {
        byte[] value = raw.getValue() == null ? new byte[0] : raw.getValue().array();
        d = new DocumentDecoder.Decoded(null, Failures.ofBytes(DocumentDecoder.STAGE,
            Reason.INTERNAL_ERROR, e.toString(), null, null, value));
      }
      if (d.document() != null) {
        decoded.inc();
        out.get(DOCUMENTS).output(d.document());
      } else {
        failed.inc();
        out.get(FAILURES).output(d.failure());
      }
    }
  }
}
