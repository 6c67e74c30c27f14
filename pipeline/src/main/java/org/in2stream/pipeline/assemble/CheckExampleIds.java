package org.in2stream.pipeline.assemble;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
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
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;

/**
 * The last step before the sinks: groups the examples of each window by id. Identical copies of one
 * example (the same record made twice) are written once. Different examples under one id are an
 * error: every distinct copy becomes a {@link Reason#DUPLICATE_EXAMPLE_ID} dead letter (counter
 * {@code CheckExampleIds.duplicate_ids}) and none is written, so no sink keeps one copy by chance
 * and the Kafka and file outputs hold the same set of examples.
 */
public final class CheckExampleIds
    extends PTransform<PCollection<LongContextExample>, PCollectionTuple> {
  public static final String STAGE = "CheckExampleIds";
  public static final TupleTag<LongContextExample> EXAMPLES = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  @Override
  public PCollectionTuple expand(PCollection<LongContextExample> examples) {
    PCollectionTuple out = examples
        .apply("KeyById", WithKeys.of((LongContextExample e) -> e.getId())
            .withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.specific(LongContextExample.class)))
        .apply("GroupById", GroupByKey.create())
        .apply("OnePerId", ParDo.of(new OnePerIdFn())
            .withOutputTags(EXAMPLES, TupleTagList.of(FAILURES)));
    out.get(EXAMPLES).setCoder(AvroCoder.specific(LongContextExample.class));
    return out;
  }

  static String contentHash(LongContextExample e) {
    try {
      return Hashing.sha256Hex(LongContextExample.getEncoder().encode(e));
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  static final class OnePerIdFn extends DoFn<KV<String, Iterable<LongContextExample>>,
      LongContextExample> {
    private final Counter duplicates = Metrics.counter(CheckExampleIds.class, "duplicate_ids");
    private final Counter repeated = Metrics.counter(CheckExampleIds.class, "identical_copies");

    @ProcessElement
    public void process(@Element KV<String, Iterable<LongContextExample>> group,
        MultiOutputReceiver out) {
      // One pass: a grouped result may be iterated only once (Flink batch).
      TreeMap<String, LongContextExample> byHash = new TreeMap<>();
      int n = 0;
      for (LongContextExample e : group.getValue()) {
        byHash.putIfAbsent(contentHash(e), e);
        n++;
      }
      List<LongContextExample> distinct = new ArrayList<>(byHash.values());
      if (distinct.size() == 1) {
        if (n > 1) {
          repeated.inc(n - 1);
        }
        out.get(EXAMPLES).output(distinct.get(0));
        return;
      }
      duplicates.inc();
      for (LongContextExample e : distinct) {
        out.get(FAILURES).output(Failures.ofText(STAGE, Reason.DUPLICATE_EXAMPLE_ID,
            "example id " + group.getKey() + " has " + distinct.size() + " different copies; "
                + "this one (content " + contentHash(e).substring(0, 16) + ") is from document "
                + e.getSourceDocId() + ", request " + e.getRequestKey(),
            e.getSourceDocId(), e.getSource(), e.toString()));
      }
    }
  }
}
