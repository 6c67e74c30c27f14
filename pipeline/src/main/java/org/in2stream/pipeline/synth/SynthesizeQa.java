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
import org.apache.beam.sdk.metrics.Distribution;
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
import org.in2stream.pipeline.util.WorkerSetupException;
import org.in2stream.pipeline.verify.Level;
import org.in2stream.pipeline.verify.LexicalChecks;
import org.in2stream.pipeline.verify.Scores;
import org.in2stream.pipeline.verify.VerifySettings;
import org.in2stream.schema.EvidenceQuote;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.joda.time.Instant;

/**
 * Asks the generator for IN2 QA pairs: per document, {@code questionsPerDocument} question slots
 * ({@link #requestsFor}); each slot is a multi-segment request (the document's segments as numbered
 * pieces, or a window of consecutive ones that fits {@link #withMaxSourceTokens}) with probability {@code multiSegmentShare} when the document has two or more
 * segments and no multi-segment request yet, else a fine-grained request about a segment not asked
 * about yet. Calls are asynchronous with at most {@code maxInFlight} per DoFn instance; results
 * are emitted when they complete, at the latest when the bundle finishes. Each slot runs through
 * {@link QaAttempts}: the verification chain ({@link #withVerification}) checks every response and a
 * rejected one is regenerated. A failed slot is a {@link Failure}, never an exception.
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
  private VerifySettings verify = VerifySettings.of(Level.NONE, 1, 1.0);
  private int maxSourceTokens = Integer.MAX_VALUE;

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

  /** Runs the verification chain on every response, regenerating up to {@code qaAttempts} times. */
  public SynthesizeQa withVerification(VerifySettings settings) {
    this.verify = settings;
    return this;
  }

  /**
   * Fit before paying: no request sends more source tokens than this (the largest context target a
   * QA pair could be placed in, and the model's context). A multi-segment request sends a window of
   * consecutive pieces that fits; a piece too long alone is a dead letter without a call.
   */
  public SynthesizeQa withMaxSourceTokens(int tokens) {
    this.maxSourceTokens = tokens;
    return this;
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
    return requestsFor(segments, g, seed, questionsPerDocument, multiSegmentShare,
        Integer.MAX_VALUE);
  }

  /**
   * As above; a multi-segment request shows the window of consecutive segments that {@link
   * #window} picks within {@code maxSourceTokens} (none when no two consecutive segments fit).
   */
  static List<QaRequest> requestsFor(List<Segment> segments, QaGenerator g, long seed,
      int questionsPerDocument, double multiSegmentShare, int maxSourceTokens) {
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
      List<Segment> window = multi ? window(segments, seed, maxSourceTokens) : List.of();
      if (multi && window.size() >= 2) {
        multiAsked = true;
        requests.add(QaRequest.of(g.model(), g.promptVersion(), g.generationParams(),
            Kind.MULTI_SEGMENT, docId, window));
      } else if (nextSegment < order.size()) {
        requests.add(QaRequest.of(g.model(), g.promptVersion(), g.generationParams(),
            Kind.FINE_GRAINED, docId, List.of(order.get(nextSegment++))));
      }
    }
    return requests;
  }

  /**
   * The pieces a multi-segment request shows: the whole document when it fits in {@code
   * maxSourceTokens}, else a window of consecutive segments that fits, starting at a segment drawn
   * from (seed, document id) among those that start a window of two or more; empty when none does.
   */
  static List<Segment> window(List<Segment> segments, long seed, int maxSourceTokens) {
    long total = segments.stream().mapToLong(Segment::getTokens).sum();
    if (total <= maxSourceTokens) {
      return segments;
    }
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i + 1 < segments.size(); i++) {
      if ((long) segments.get(i).getTokens() + segments.get(i + 1).getTokens()
          <= maxSourceTokens) {
        starts.add(i);
      }
    }
    if (starts.isEmpty()) {
      return List.of();
    }
    String docId = segments.get(0).getDocId();
    int start = starts.get(Seeds.rng(seed, "multi-window", docId).nextInt(starts.size()));
    List<Segment> out = new ArrayList<>();
    long used = 0;
    for (int i = start; i < segments.size()
        && used + segments.get(i).getTokens() <= maxSourceTokens; i++) {
      used += segments.get(i).getTokens();
      out.add(segments.get(i));
    }
    return out;
  }

  /** Checks a generator result against its request and builds the QA pair or the failure. */
  static Object toOutput(QaRequest request, QaResult result, QaGenerator g) {
    return toOutput(request, new QaAttempts.Outcome(result, Scores.NONE, 0, List.of(), List.of(),
        List.of(), result.stats()), g, Level.NONE);
  }

  /** Builds the QA pair (with its evidence, scores and attempts) or the failure of a slot. */
  static Object toOutput(QaRequest request, QaAttempts.Outcome outcome, QaGenerator g,
      Level level) {
    QaResult result = outcome.result();
    Segment first = request.segments().get(0);
    if (!result.isOk()) {
      String rejected = outcome.rejected().isEmpty() ? ""
          : " (rejected responses, last one included: " + String.join("; ", outcome.rejected())
              + ")";
      return Failures.ofText(STAGE, result.failureReason(), result.failureMessage() + rejected,
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
        .setEvidence(evidence(result, outcome.located()))
        .setResponseKey(result.responseKey())
        .setAttempt(outcome.attempt())
        .setRejectedResponses(outcome.rejected())
        .setVerifyLevel(level.name().toLowerCase(java.util.Locale.ROOT))
        .setGroundingScore(outcome.scores().grounding())
        .setNecessityScore(outcome.scores().necessity())
        .setQuestionOverlap(outcome.scores().questionOverlap())
        .setClosedBookScore(outcome.scores().closedBook())
        .setAblationScore(outcome.scores().ablation())
        .build();
  }

  /** The quotes with where the chain found them; empty when the chain did not locate them. */
  private static List<EvidenceQuote> evidence(QaResult r, List<LexicalChecks.Located> located) {
    List<EvidenceQuote> out = new ArrayList<>();
    if (located.size() != r.evidence().size()) {
      return out;
    }
    for (int i = 0; i < located.size(); i++) {
      LexicalChecks.Located l = located.get(i);
      out.add(EvidenceQuote.newBuilder()
          .setSegmentIndex(l.segmentIndex())
          .setQuote(r.evidence().get(i).text())
          .setCharStart(l.charStart())
          .setCharEnd(l.charEnd())
          .build());
    }
    return out;
  }

  static final class SynthesizeFn extends DoFn<List<Segment>, QaPair> {
    private final QaGenerator.Factory factory;
    private final long seed;
    private final int fineGrainedPerDocument;
    private final double multiSegmentRate;
    private final int maxInFlight;
    private final VerifySettings verify;
    private final int maxSourceTokens;
    private final Counter requested = Metrics.counter(SynthesizeQa.class, "requests");
    private final Counter succeeded = Metrics.counter(SynthesizeQa.class, "qa_pairs");
    private final Counter failed = Metrics.counter(SynthesizeQa.class, "failures");
    private final Counter bundles = Metrics.counter(SynthesizeQa.class, "bundles");
    private final Counter calls = Metrics.counter(SynthesizeQa.class, "llm_calls");
    private final Counter retries = Metrics.counter(SynthesizeQa.class, "llm_retries");
    private final Counter fallbacks = Metrics.counter(SynthesizeQa.class, "llm_format_fallbacks");
    private final Counter cacheHits = Metrics.counter(SynthesizeQa.class, "llm_cache_hits");
    private final Counter cacheMisses = Metrics.counter(SynthesizeQa.class, "llm_cache_misses");
    private final Counter cacheWrites = Metrics.counter(SynthesizeQa.class, "llm_cache_writes");
    private final Counter tokensIn = Metrics.counter(SynthesizeQa.class, "llm_tokens_in");
    private final Counter tokensOut = Metrics.counter(SynthesizeQa.class, "llm_tokens_out");
    private final Counter cost = Metrics.counter(SynthesizeQa.class, "llm_cost_micro_usd");
    private final Distribution latency = Metrics.distribution(SynthesizeQa.class,
        "llm_latency_ms");

    private transient QaGenerator generator;
    private transient QaAttempts attempts;
    private transient Semaphore inFlight;
    private transient List<Pending> pending;

    SynthesizeFn(SynthesizeQa spec) {
      this.factory = spec.generator;
      this.seed = spec.seed;
      this.fineGrainedPerDocument = spec.fineGrainedPerDocument;
      this.multiSegmentRate = spec.multiSegmentRate;
      this.maxInFlight = spec.maxInFlight;
      this.verify = spec.verify;
      this.maxSourceTokens = spec.maxSourceTokens;
    }

    private record Pending(QaRequest request, CompletableFuture<QaAttempts.Outcome> result,
        Instant timestamp, BoundedWindow window) {}

    @Setup
    public void setup() {
      generator = WorkerSetupException.during("the QA generator", factory::create);
      attempts = new QaAttempts(generator, verify);
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
          multiSegmentRate, maxSourceTokens)) {
        requested.inc();
        long tokens = request.segments().stream().mapToLong(Segment::getTokens).sum();
        if (tokens > maxSourceTokens) {
          // Fit before paying: this pair could never become an example; no call is made.
          QaResult tooLong = QaResult.failed(Reason.SOURCE_LONGER_THAN_TARGET, "the segment "
              + "holds " + tokens + " tokens; the largest target (and model context) allows "
              + maxSourceTokens + ": not sent to the generator");
          pending.add(new Pending(request, CompletableFuture.completedFuture(
              new QaAttempts.Outcome(tooLong, Scores.NONE, 0, List.of(), List.of(), List.of(),
                  CallStats.NONE)), timestamp, window));
          continue;
        }
        inFlight.acquireUninterruptibly();
        CompletableFuture<QaAttempts.Outcome> call;
        try {
          call = attempts.run(request);
        } catch (RuntimeException e) {
          call = CompletableFuture.completedFuture(new QaAttempts.Outcome(
              QaResult.failed(Reason.GENERATOR_ERROR, e.toString()), Scores.NONE, 0, List.of(),
              List.of(), List.of(), CallStats.NONE));
        }
        CompletableFuture<QaAttempts.Outcome> settled = call
            .exceptionally(e -> new QaAttempts.Outcome(
                QaResult.failed(Reason.GENERATOR_ERROR, rootMessage(e)), Scores.NONE, 0,
                List.of(), List.of(), List.of(), CallStats.NONE))
            .whenComplete((r, e) -> inFlight.release());
        pending.add(new Pending(request, settled, timestamp, window));
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      bundles.inc();
      for (Pending p : pending) {
        QaAttempts.Outcome outcome = p.result().join();
        account(outcome.stats());
        for (QaAttempts.Verdict v : outcome.verdicts()) {
          Metrics.counter(SynthesizeQa.class, v.check().metric() + (v.passed() ? "_pass"
              : "_fail")).inc();
        }
        if (outcome.attempt() > 0) {
          Metrics.counter(SynthesizeQa.class, "regenerated_slots").inc();
        }
        Object out = toOutput(p.request(), outcome, generator, verify.level());
        if (out instanceof QaPair qa) {
          succeeded.inc();
          context.output(QA, qa, p.timestamp(), p.window());
        } else {
          Failure f = (Failure) out;
          failed.inc();
          Metrics.counter(SynthesizeQa.class, "failures_" + f.getReason()).inc();
          context.output(FAILURES, f, p.timestamp(), p.window());
        }
      }
      pending = new ArrayList<>();
    }

    /** Beam metrics must be updated on the DoFn's thread, so the generator reports, we count. */
    private void account(CallStats s) {
      calls.inc(s.calls());
      retries.inc(s.retries());
      fallbacks.inc(s.formatFallbacks());
      cacheHits.inc(s.cacheHit() ? 1 : 0);
      cacheMisses.inc(s.cacheMiss() ? 1 : 0);
      cacheWrites.inc(s.cacheWrite() ? 1 : 0);
      tokensIn.inc(s.tokensIn());
      tokensOut.inc(s.tokensOut());
      cost.inc(s.costMicroUsd());
      for (long ms : s.latenciesMs()) {
        latency.update(ms);
        Metrics.counter(SynthesizeQa.class, latencyBucket(ms)).inc();
      }
    }

    @Teardown
    public void teardown() {
      if (generator != null) {
        generator.close();
      }
    }

    /** Histogram buckets of call latency, as counters {@code llm_latency_le_<ms>}. */
    static String latencyBucket(long ms) {
      for (long bound : LATENCY_BUCKETS_MS) {
        if (ms <= bound) {
          return "llm_latency_le_" + bound + "ms";
        }
      }
      return "llm_latency_gt_" + LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1] + "ms";
    }

    private static final long[] LATENCY_BUCKETS_MS = {100, 250, 500, 1_000, 2_500, 5_000,
        10_000, 30_000, 60_000};

    private static String rootMessage(Throwable e) {
      Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      return t.toString();
    }
  }
}
