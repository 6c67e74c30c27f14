package org.in2stream.pipeline.synth;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.schema.Failure;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.RawRecord;
import org.in2stream.schema.Source;
import org.joda.time.Duration;

/**
 * The QA journal: every QA pair, with the segments it was made from, written to a Kafka topic
 * exactly-once (Avro single-object encoding, key = request key, record timestamp = the pair's event
 * time). Reading it back gives the same QA pairs in the same windows, so contexts can be re-assembled
 * with new length or placement settings without a single generator call.
 */
public final class QaJournal {
  public static final String STAGE = "ReadQaJournal";
  public static final TupleTag<QaPair> QA = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  private QaJournal() {}

  /** Writes QA pairs to {@code topic}; the Kafka timestamp is the element's event time. */
  public static PTransform<PCollection<QaPair>, PDone> write(String bootstrapServers, String topic,
      int eosShards) {
    return write(bootstrapServers, topic, eosShards, java.util.Map.of());
  }

  /** {@link #write(String, String, int)} with extra Kafka client properties. */
  public static PTransform<PCollection<QaPair>, PDone> write(String bootstrapServers, String topic,
      int eosShards, java.util.Map<String, Object> clientProperties) {
    return new PTransform<>() {
      @Override
      public PDone expand(PCollection<QaPair> qa) {
        return qa
            .apply("Encode", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
                TypeDescriptor.of(byte[].class))).via(q -> KV.of(q.getRequestKey(), encode(q))))
            .apply("WriteJournalTopic", KafkaIO.<String, byte[]>write()
                .withBootstrapServers(bootstrapServers)
                .withTopic(topic)
                .withKeySerializer(StringSerializer.class)
                .withValueSerializer(ByteArraySerializer.class)
                .withInputTimestamp()
                .withProducerConfigUpdates(clientProperties)
                .withConsumerFactoryFn(
                    org.in2stream.pipeline.util.KafkaClientProperties.consumerFactory(
                        clientProperties))
                .withEOS(eosShards, org.in2stream.pipeline.sink.WriteExamples.sinkGroupId(topic)));
      }
    };
  }

  /** Reads QA pairs back from raw journal records, windowed like documents. */
  public static PTransform<PBegin, PCollectionTuple> read(
      PTransform<PBegin, PCollection<RawRecord>> source, Duration window) {
    return new PTransform<>() {
      @Override
      public PCollectionTuple expand(PBegin input) {
        return input
            .apply("ReadRaw", source)
            .apply("Window", Window.<RawRecord>into(FixedWindows.of(window)))
            .apply("Decode", ParDo.of(new DecodeFn())
                .withOutputTags(QA, TupleTagList.of(FAILURES)));
      }
    };
  }

  static byte[] encode(QaPair q) {
    try {
      ByteBuffer b = QaPair.getEncoder().encode(q);
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static final class DecodeFn extends DoFn<RawRecord, QaPair> {
    private final Counter read = Metrics.counter(QaJournal.class, "journal_records_read");

    @ProcessElement
    public void process(@Element RawRecord raw, MultiOutputReceiver out) {
      read.inc();
      Source source = new Source(raw.getTopic(), raw.getPartition(), raw.getOffset(),
          raw.getTimestamp());
      byte[] bytes = new byte[0];
      if (raw.getValue() != null) {
        ByteBuffer v = raw.getValue().duplicate();
        bytes = new byte[v.remaining()];
        v.get(bytes);
      }
      try {
        out.get(QA).output(QaPair.getDecoder().decode(bytes));
      } catch (IOException | RuntimeException e) {
        out.get(FAILURES).output(Failures.ofBytes(STAGE, Reason.INVALID_JOURNAL_RECORD,
            e.toString(), null, source, bytes));
      }
    }
  }
}
