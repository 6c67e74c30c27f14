package org.in2stream.pipeline.dedup;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.schema.Failure;
import org.in2stream.schema.QaPair;

/**
 * Near-duplicate questions across the dedup horizon: {@link NearDuplicates} over the question's
 * words (see {@link DedupSettings#QUESTION_MINHASH}). The earliest QA pair (event time, then request
 * key, then document id) is kept; a later near-copy becomes a {@link Reason#DUPLICATE_QUESTION}
 * dead letter naming the kept one. Kept pairs go back to their original windows with their
 * timestamps.
 */
public final class DeduplicateQuestions extends PTransform<PCollection<QaPair>, PCollectionTuple> {
  public static final String STAGE = "DeduplicateQuestions";
  public static final TupleTag<QaPair> KEPT = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  /** A QA pair's id is {@code requestKey@docId}; its tie-break is request key, then document id. */
  public static final ItemKeys<QaPair> KEYS = new ItemKeys<>() {
    @Override
    public String id(QaPair qa) {
      return qa.getRequestKey() + "@" + qa.getDocId();
    }

    @Override
    public String orderKey(QaPair qa) {
      return qa.getRequestKey() + '\u0000' + qa.getDocId();
    }

    @Override
    public String text(QaPair qa) {
      return qa.getQuestion();
    }

    /**
     * Pairs of one request key are the one response the content-addressed cache gives for the same
     * text, asked in two documents that share a segment: each document keeps its example, with
     * its own id (issue 11's collision rule), so they are not duplicates of each other.
     */
    @Override
    public boolean sameOrigin(String id, String otherId) {
      return requestKey(id).equals(requestKey(otherId));
    }
  };

  private static String requestKey(String id) {
    int at = id.indexOf('@');
    return at < 0 ? id : id.substring(0, at);
  }

  private final NearDuplicates.Settings settings;

  public DeduplicateQuestions(NearDuplicates.Settings settings) {
    this.settings = settings;
  }

  @Override
  public PCollectionTuple expand(PCollection<QaPair> qa) {
    WindowingStrategy<?, ?> original = qa.getWindowingStrategy();
    Coder<QaPair> coder = AvroCoder.of(QaPair.class);
    NearDuplicates<QaPair> near = new NearDuplicates<>(KEYS, settings, coder);
    PCollectionTuple found = qa
        .apply("IntoHorizon", HorizonWindows.intoGlobal())
        .apply("NearDuplicateQuestions", near);
    PCollection<QaPair> kept = found.get(near.kept)
        .apply("BackToWindows", HorizonWindows.back(original));
    PCollection<Failure> failures = found.get(near.nearDuplicates)
        .apply("ToFailures", MapElements.into(TypeDescriptor.of(Failure.class))
            .via(DeduplicateQuestions::failure))
        .setCoder(AvroCoder.of(Failure.class))
        .apply("FailuresBackToWindows", HorizonWindows.back(original));
    return PCollectionTuple.of(KEPT, kept).and(FAILURES, failures);
  }

  static Failure failure(KV<QaPair, Match> dup) {
    QaPair qa = dup.getKey();
    Match kept = dup.getValue();
    Metrics.counter(DeduplicateQuestions.class, "duplicate_questions").inc();
    return Failures.ofText(STAGE, Reason.DUPLICATE_QUESTION,
        String.format(java.util.Locale.ROOT, "near-copy (estimated Jaccard %.2f) of the question "
            + "of QA %s (requestKey@docId), the earliest similar question of the horizon",
            kept.jaccard(), kept.id()),
        qa.getDocId(), qa.getSource(), qa.getQuestion());
  }
}
