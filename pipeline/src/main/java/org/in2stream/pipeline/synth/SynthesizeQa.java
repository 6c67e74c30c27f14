package org.in2stream.pipeline.synth;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.util.Seeds;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.joda.time.Instant;

/**
 * Asks the generator for IN2 QA pairs: per document, {@code questionsPerDocument} question slots
 * ({@link #requestsFor}); each slot is a multi-segment request (all segments of the document, as
 * numbered pieces) with probability {@code multiSegmentShare} when the document has two or more
 * segments and no multi-segment request yet, else a fine-grained request about a segment not asked
 * about yet. Calls are asynchronous with at most {@code maxInFlight} per DoFn instance; results
 * are emitted when they complete, at the latest when the bundle finishes. A failed call is a {@link
 * Failure}, never an exception.
 */
public final class SynthesizeQa extends PTransform<PCollection<List<Segment>>, PCollectionTuple> {
  public static final String STAGE = "SynthesizeQa";
  public static final TupleTag<QaPair> QA = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  private final QaGenerator.Factory generator;
  private final long seed;
  // Named after their first meaning to keep SynthesizeFn unchanged: questions per document, and the
  // multi-segment share of the question slots (config.Mixture#multiSegmentShare).
  private final int fineGrainedPerDocument;
  private final double multiSegmentRate;
  private final int maxInFlight;

  /**
   * @param questionsPerDocument question slots per document
   * @param multiSegmentShare chance that a slot is multi-segment ({@code Mixture#multiSegmentShare})
   */
  public SynthesizeQa(QaGenerator.Factory generator, long seed, int questionsPerDocument,
      double multiSegmentShare, int maxInFlight) {
    this.generator = generator;
    this.seed = seed;
    this.fineGrainedPerDocument = questionsPerDocument;
    this.multiSegmentRate = multiSegmentShare;
    this.maxInFlight = maxInFlight;
  }

  @Override
  public PCollectionTuple expand(PCollection<List<Segment>> segmented) {
    return segmented.apply("Generate", ParDo.of(new SynthesizeFn(this))
        .withOutputTags(QA, TupleTagList.of(FAILURES)));
  }

  /**
   * The requests for one document, in a fixed order. Slot {@code i} is multi-segment when a draw
   * keyed by (document id, i) falls below {@code multiSegmentShare}, the document has two or more
   * segments and no multi-segment request yet (the same request twice would be one request key);
   * otherwise it is fine-grained about the next segment of a seeded shuffle, while segments remain.
   * Package-private for tests.
   */
  static List<QaRequest> requestsFor(List<Segment> segments, QaGenerator g, long seed,
      int questionsPerDocument, double multiSegmentShare) {
    String docId = segments.get(0).getDocId();
    List<QaRequest> requests = new ArrayList<>();
    SplittableRandom rng = Seeds.rng(seed, "pick-segments", docId);
    List<Segment> order = new ArrayList<>(segments);
    for (int i = order.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      Segment t = order.get(i);
      order.set(i, order.get(j));
      order.set(j, t);
    }
    int nextSegment = 0;
    boolean multiAsked = false;
    for (int slot = 0; slot < questionsPerDocument; slot++) {
      boolean multi = !multiAsked && segments.size() >= 2
          && Seeds.uniform(seed, "question-kind", docId + "#" + slot) < multiSegmentShare;
      if (multi) {
        multiAsked = true;
        requests.add(QaRequest.of(g.model(), g.promptVersion(), g.generationParams(),
            Kind.MULTI_SEGMENT, docId, segments));
      } else if (nextSegment < order.size()) {
        requests.add(QaRequest.of(g.model(), g.promptVersion(), g.generationParams(),
            Kind.FINE_GRAINED, docId, List.of(order.get(nextSegment++))));
      }
    }
    return requests;
  }

  /** Checks a generator result against its request and builds the QA pair or the failure. */
  static Object toOutput(QaRequest request, QaResult result, QaGenerator g) {
    Segment first = request.segments().get(0);
    if (!result.isOk()) {
      return Failures.ofText(STAGE, result.failureReason(), result.failureMessage(),
          request.docId(), first.getSource(), first.getText());
    }
    Set<Integer> offered = new HashSet<>();
    request.segments().forEach(s -> offered.add(s.getIndex()));
    int minNeeded = request.kind() == Kind.MULTI_SEGMENT ? 2 : 1;
    Set<Integer> needed = new HashSet<>(result.neededSegmentIndexes());
    if (result.question() == null || result.question().isBlank() || result.answer() == null
        || result.answer().isBlank() || !offered.containsAll(needed)
        || needed.size() < minNeeded) {
      return Failures.ofText(STAGE, Reason.GENERATOR_ERROR, "malformed generator result: needs "
          + result.neededSegmentIndexes() + " of " + offered + ", question or answer empty: "
          + (result.question() == null || result.answer() == null), request.docId(),
          first.getSource(), first.getText());
    }
    return QaPair.newBuilder()
        .setRequestKey(request.requestKey())
        .setKind(request.kind())
        .setDocId(request.docId())
        .setQuestion(result.question())
        .setAnswer(result.answer())
        .setSegments(request.segments())
        .setNeededSegmentIndexes(List.copyOf(result.neededSegmentIndexes()))
        .setModel(g.model())
        .setPromptVersion(g.promptVersion())
        .setSource(first.getSource())
        .build();
  }

  static final class SynthesizeFn extends DoFn<List<Segment>, QaPair> {
    private final QaGenerator.Factory factory;
    private final long seed;
    private final int fineGrainedPerDocument;
    private final double multiSegmentRate;
    private final int maxInFlight;
    private final Counter requested = Metrics.counter(SynthesizeQa.class, "requests");
    private final Counter succeeded = Metrics.counter(SynthesizeQa.class, "qa_pairs");
    private final Counter failed = Metrics.counter(SynthesizeQa.class, "failures");

    private transient QaGenerator generator;
    private transient Semaphore inFlight;
    private transient List<Pending> pending;

    SynthesizeFn(SynthesizeQa spec) {
      this.factory = spec.generator;
      this.seed = spec.seed;
      this.fineGrainedPerDocument = spec.fineGrainedPerDocument;
      this.multiSegmentRate = spec.multiSegmentRate;
      this.maxInFlight = spec.maxInFlight;
    }

    private record Pending(QaRequest request, CompletableFuture<QaResult> result,
        Instant timestamp, BoundedWindow window) {}

    @Setup
    public void setup() {
      generator = factory.create();
      inFlight = new Semaphore(maxInFlight);
    }

    @StartBundle
    public void startBundle() {
      pending = new ArrayList<>();
    }

    @ProcessElement
    public void process(@Element List<Segment> segments, @Timestamp Instant timestamp,
        BoundedWindow window) {
      for (QaRequest request : requestsFor(segments, generator, seed, fineGrainedPerDocument,
          multiSegmentRate)) {
        inFlight.acquireUninterruptibly();
        requested.inc();
        CompletableFuture<QaResult> call;
        try {
          call = generator.generate(request);
        } catch (RuntimeException e) {
          call = CompletableFuture.completedFuture(
              QaResult.failed(Reason.GENERATOR_ERROR, e.toString()));
        }
        CompletableFuture<QaResult> settled = call
            .exceptionally(e -> QaResult.failed(Reason.GENERATOR_ERROR, rootMessage(e)))
            .whenComplete((r, e) -> inFlight.release());
        pending.add(new Pending(request, settled, timestamp, window));
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Pending p : pending) {
        Object out = toOutput(p.request(), p.result().join(), generator);
        if (out instanceof QaPair qa) {
          succeeded.inc();
          context.output(QA, qa, p.timestamp(), p.window());
        } else {
          failed.inc();
          context.output(FAILURES, (Failure) out, p.timestamp(), p.window());
        }
      }
      pending = new ArrayList<>();
    }

    @Teardown
    public void teardown() {
      if (generator != null) {
        generator.close();
      }
    }

    private static String rootMessage(Throwable e) {
      Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      return t.toString();
    }
  }
}
