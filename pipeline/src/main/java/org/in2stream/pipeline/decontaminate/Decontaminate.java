package org.in2stream.pipeline.decontaminate;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;

/**
 * Drops documents that share a 10-gram with the evaluation texts of {@code --decontaminate}, before
 * segmentation, so they are used neither for questions nor as filler. Each one becomes a dead letter
 * with reason {@code CONTAMINATED} (the overlapping 10-gram in its message) and counts in
 * {@code Decontaminate.documents_contaminated}.
 */
public final class Decontaminate extends PTransform<PCollection<Document>, PCollectionTuple> {
  public static final String STAGE = "Decontaminate";
  public static final TupleTag<Document> CLEAN = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  private final String evaluationFile;

  public Decontaminate(String evaluationFile) {
    this.evaluationFile = evaluationFile;
  }

  @Override
  public PCollectionTuple expand(PCollection<Document> docs) {
    return docs.apply("Check10Grams", ParDo.of(new DecontaminateFn(evaluationFile))
        .withOutputTags(CLEAN, TupleTagList.of(FAILURES)));
  }

  static final class DecontaminateFn extends DoFn<Document, Document> {
    private final String evaluationFile;
    private final Counter contaminated =
        Metrics.counter(Decontaminate.class, "documents_contaminated");
    private final Counter clean = Metrics.counter(Decontaminate.class, "documents_clean");
    private transient NGramIndex index;

    DecontaminateFn(String evaluationFile) {
      this.evaluationFile = evaluationFile;
    }

    @Setup
    public void setup() {
      index = NGramIndex.load(evaluationFile);
    }

    @ProcessElement
    public void process(@Element Document doc, MultiOutputReceiver out) {
      var overlap = index.firstOverlap(doc.getText());
      if (overlap.isPresent()) {
        contaminated.inc();
        out.get(FAILURES).output(Failures.ofText(STAGE, Reason.CONTAMINATED,
            "shares the 10-gram \"" + overlap.get() + "\" with an evaluation text of "
                + evaluationFile, doc.getId(), doc.getSource(), doc.getText()));
      } else {
        clean.inc();
        out.get(CLEAN).output(doc);
      }
    }
  }
}
