package org.in2stream.pipeline.segment;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
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
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.TokenBudget;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.pipeline.util.WorkerSetupException;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Segment;

/**
 * Splits each document into IN2 segments ({@link Segmenter}). Emits one list per document with all of
 * its segments in order (never empty); a document too short for one segment is a failure.
 */
public final class SegmentDocuments extends PTransform<PCollection<Document>, PCollectionTuple> {
  public static final String STAGE = "SegmentDocuments";
  public static final TupleTag<List<Segment>> SEGMENTED = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  private final String tokenizerSpec;
  private final int minTokens;
  private final int maxParagraphTokens;
  private final long maxDocumentTokens;

  /** @param maxDocumentTokens a document with more tokens is a {@code TOO_MANY_TOKENS} failure */
  public SegmentDocuments(String tokenizerSpec, int minTokens, int maxParagraphTokens,
      long maxDocumentTokens) {
    this.tokenizerSpec = tokenizerSpec;
    this.minTokens = minTokens;
    this.maxParagraphTokens = maxParagraphTokens;
    this.maxDocumentTokens = maxDocumentTokens;
  }

  @Override
  public PCollectionTuple expand(PCollection<Document> docs) {
    PCollectionTuple out = docs.apply("Segment",
        ParDo.of(new SegmentFn(tokenizerSpec, minTokens, maxParagraphTokens, maxDocumentTokens))
            .withOutputTags(SEGMENTED, TupleTagList.of(FAILURES)));
    out.get(SEGMENTED).setCoder(ListCoder.of(AvroCoder.specific(Segment.class)));
    return out;
  }

  static final class SegmentFn extends DoFn<Document, List<Segment>> {
    private final String tokenizerSpec;
    private final int minTokens;
    private final int maxParagraphTokens;
    private final long maxDocumentTokens;
    private transient TextTokenizer tokenizer;
    private final Counter segments = Metrics.counter(SegmentDocuments.class, "segments");
    private final Counter failed = Metrics.counter(SegmentDocuments.class, "documents_failed");
    private final Counter segmented =
        Metrics.counter(SegmentDocuments.class, "documents_segmented");
    private final Distribution perDoc =
        Metrics.distribution(SegmentDocuments.class, "segments_per_document");
    private transient Segmenter segmenter;

    SegmentFn(String tokenizerSpec, int minTokens, int maxParagraphTokens,
        long maxDocumentTokens) {
      this.tokenizerSpec = tokenizerSpec;
      this.minTokens = minTokens;
      this.maxParagraphTokens = maxParagraphTokens;
      this.maxDocumentTokens = maxDocumentTokens;
    }

    @Setup
    public void setup() {
      tokenizer = WorkerSetupException.during("the tokenizer " + tokenizerSpec,
          () -> Tokenizers.load(tokenizerSpec));
      segmenter = new Segmenter(tokenizer, minTokens, maxParagraphTokens);
    }

    @ProcessElement
    public void process(@Element Document doc, MultiOutputReceiver out) {
      List<Segmenter.Piece> pieces;
      try {
        long tokens = TokenBudget.countUpTo(tokenizer, doc.getText(), maxDocumentTokens);
        if (tokens > maxDocumentTokens) {
          failed.inc();
          out.get(FAILURES).output(Failures.ofText(STAGE, Reason.TOO_MANY_TOKENS,
              "more than --maxDocumentTokens=" + maxDocumentTokens + " tokens (" + tokenizerSpec
                  + "; counting stopped at " + tokens + ")", doc.getId(), doc.getSource(),
              doc.getText()));
          return;
        }
        pieces = segmenter.segment(doc.getText());
      } catch (RuntimeException e) {
        failed.inc();
        out.get(FAILURES).output(Failures.ofText(STAGE, Reason.INTERNAL_ERROR, e.toString(),
            doc.getId(), doc.getSource(), doc.getText()));
        return;
      }
      if (pieces.isEmpty()) {
        failed.inc();
        out.get(FAILURES).output(Failures.ofText(STAGE, Reason.TOO_SHORT,
            "fewer than " + minTokens + " tokens (" + tokenizerSpec + ")", doc.getId(),
            doc.getSource(), doc.getText()));
        return;
      }
      List<Segment> result = new ArrayList<>(pieces.size());
      for (int i = 0; i < pieces.size(); i++) {
        result.add(Segment.newBuilder()
            .setDocId(doc.getId())
            .setIndex(i)
            .setText(pieces.get(i).text())
            .setTokens(pieces.get(i).tokens())
            .setSource(doc.getSource())
            .build());
      }
      segments.inc(result.size());
      segmented.inc();
      perDoc.update(result.size());
      out.get(SEGMENTED).output(result);
    }
  }
}
