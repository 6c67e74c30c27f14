package org.in2stream.pipeline.source;

import java.util.Comparator;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Source;

/**
 * Exact duplicates within an event-time window: documents are grouped by the SHA-256 of their
 * cleaned text, the one with the smallest (topic, partition, offset) is kept and every other one
 * becomes a {@link Reason#DUPLICATE} dead letter naming the kept one. Windows come from Kafka
 * timestamps, so a replay of the same offsets keeps the same documents whatever the arrival order or
 * parallelism. Duplicates in different windows are not caught (that would need state kept for ever,
 * or a lookup outside the job); the filler pool and the questions are per window anyway.
 */
public final class Deduplicate extends PTransform<PCollection<Document>, PCollectionTuple> {
  public static final String STAGE = "Deduplicate";
  public static final TupleTag<Document> UNIQUE = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  /** The order that decides which copy is kept: the smallest source position. */
  public static final Comparator<Source> FIRST = Comparator.comparing(Source::getTopic)
      .thenComparingInt(Source::getPartition)
      .thenComparingLong(Source::getOffset);

  @Override
  public PCollectionTuple expand(PCollection<Document> docs) {
    return docs
        .apply("ByContentHash", WithKeys.<String, Document>of(Document::getContentSha256)
            .withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(Document.class)))
        .apply("GroupByContentHash", GroupByKey.create())
        .apply("KeepFirst", ParDo.of(new KeepFirstFn())
            .withOutputTags(UNIQUE, TupleTagList.of(FAILURES)));
  }

  static final class KeepFirstFn extends DoFn<KV<String, Iterable<Document>>, Document> {
    private final Counter duplicates = Metrics.counter(Deduplicate.class, "duplicates");

    /**
     * One pass (the Flink runner's grouped values can be iterated once) holding one document, the
     * smallest seen so far: of two copies the later one is a duplicate at once, so memory stays at
     * one document whatever the size of the group.
     */
    @ProcessElement
    public void process(@Element KV<String, Iterable<Document>> group, MultiOutputReceiver out) {
      Document first = null;
      for (Document d : group.getValue()) {
        if (first == null) {
          first = d;
        } else if (FIRST.compare(d.getSource(), first.getSource()) < 0) {
          duplicate(first, d, group.getKey(), out);
          first = d;
        } else {
          duplicate(d, first, group.getKey(), out);
        }
      }
      out.get(UNIQUE).output(first);
    }

    private void duplicate(Document copy, Document earlier, String sha, MultiOutputReceiver out) {
      duplicates.inc();
      Source s = earlier.getSource();
      out.get(FAILURES).output(Failures.ofText(STAGE, Reason.DUPLICATE,
          "same text (sha256 " + sha + ") as " + earlier.getId() + " at " + s.getTopic() + "/"
              + s.getPartition() + "@" + s.getOffset(), copy.getId(), copy.getSource(),
          copy.getText()));
    }
  }
}
