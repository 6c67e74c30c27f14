package org.in2stream.pipeline.assemble;

import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.pipeline.util.Seeds;
import org.in2stream.pipeline.util.WorkerSetupException;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;

/**
 * Turns each QA pair into one training example: with probability {@code shortContextRate} (drawn per
 * request key) a SHORT_CONTEXT example with only its own text, otherwise a long context of its own
 * kind built by {@link ContextAssembler} from the window's filler pool ({@link HorizonPool}: the
 * segments of the window and the windows before it), recording which windows fed it. The pool
 * reaches the QA pairs of its window through {@link JoinWithPool} (a keyed join that forgets a
 * window's pool once the window has fired), not a side input.
 */
public final class AssembleContexts extends PTransform<PCollection<QaPair>, PCollectionTuple> {
  public static final TupleTag<LongContextExample> EXAMPLES = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  /**
   * Everything the assembler needs, as plain values.
   *
   * @param lengths where target context lengths are drawn from
   * @param maxSequenceTokens the rendered prompt plus {@code answerReserveTokens} (or the answer's
   *     tokens, if more) never exceed this
   * @param shortContextRate chance that a QA pair is kept as a SHORT_CONTEXT example
   * @param hardness how fillers are chosen and whether their hardness is recorded
   * @param unanswerableRate chance that a QA pair not kept as SHORT_CONTEXT becomes UNANSWERABLE
   */
  public record Settings(String tokenizerSpec, TrainingTemplate template, long seed,
      LengthDistribution lengths, Placement placement, int maxSequenceTokens,
      int answerReserveTokens, double shortContextRate, String pipelineVersion,
      FillerHardness hardness, double unanswerableRate)
      implements java.io.Serializable {
    /** The paper's fillers (random, nothing measured) and no unanswerable examples. */
    public Settings(String tokenizerSpec, TrainingTemplate template, long seed,
        LengthDistribution lengths, Placement placement, int maxSequenceTokens,
        int answerReserveTokens, double shortContextRate, String pipelineVersion) {
      this(tokenizerSpec, template, seed, lengths, placement, maxSequenceTokens,
          answerReserveTokens, shortContextRate, pipelineVersion, FillerHardness.PAPER, 0);
    }

    public Settings {
      if (hardness == null) {
        throw new IllegalArgumentException("filler hardness settings are required");
      }
    }

    /** The same settings with other filler hardness and unanswerable rate. */
    public Settings with(FillerHardness newHardness, double newUnanswerableRate) {
      return new Settings(tokenizerSpec, template, seed, lengths, placement, maxSequenceTokens,
          answerReserveTokens, shortContextRate, pipelineVersion, newHardness,
          newUnanswerableRate);
    }
  }

  static final TupleTag<QaPair> QA = new TupleTag<>() {};
  static final TupleTag<HorizonPool> POOL = new TupleTag<>() {};

  private final Settings settings;
  private final PCollection<HorizonPool> pools;

  /** @param pools the pool of each window's horizon, in the horizon's sliding windows */
  public AssembleContexts(Settings settings, PCollection<HorizonPool> pools) {
    this.settings = settings;
    this.pools = pools;
  }

  @Override
  public PCollectionTuple expand(PCollection<QaPair> qa) {
    return qa
        .apply("WithPool", new JoinWithPool<>(pools, new HorizonPool.Coder(),
            QaPair::getRequestKey, QA, POOL))
        .apply("Assemble", ParDo.of(new AssembleFn(settings))
            .withOutputTags(EXAMPLES, TupleTagList.of(FAILURES)));
  }

  /** The kind an example made from {@code qa} gets: a seeded draw per request key. */
  public static Kind kindOf(QaPair qa, long seed, double shortContextRate) {
    return Seeds.uniform(seed, "short-context", qa.getRequestKey()) < shortContextRate
        ? Kind.SHORT_CONTEXT
        : qa.getKind();
  }

  /**
   * The kind with unanswerable examples: a QA pair that is not kept as SHORT_CONTEXT becomes
   * UNANSWERABLE with probability {@code unanswerableRate} (a second seeded draw per request key);
   * at rate 0 the same as {@link #kindOf(QaPair, long, double)}.
   */
  public static Kind kindOf(QaPair qa, long seed, double shortContextRate,
      double unanswerableRate) {
    Kind kind = kindOf(qa, seed, shortContextRate);
    if (kind != Kind.SHORT_CONTEXT && unanswerableRate > 0
        && Seeds.uniform(seed, "unanswerable", qa.getRequestKey()) < unanswerableRate) {
      return Kind.UNANSWERABLE;
    }
    return kind;
  }

  static final class AssembleFn extends DoFn<KV<Integer, CoGbkResult>, LongContextExample> {
    private final Settings settings;
    private final Counter failed = Metrics.counter(AssembleContexts.class, "failures");
    private final Counter depthMisses =
        Metrics.counter(AssembleContexts.class, "stratified_depth_misses");
    private final Distribution contextTokens =
        Metrics.distribution(AssembleContexts.class, "context_tokens");
    private transient ContextAssembler assembler;

    AssembleFn(Settings settings) {
      this.settings = settings;
    }

    @Setup
    public void setup() {
      assembler = new ContextAssembler(WorkerSetupException.during(
          "the tokenizer " + settings.tokenizerSpec(),
          () -> Tokenizers.load(settings.tokenizerSpec())), settings);
    }

    /** The QA pairs of one shard of one window, with the window's pool. */
    @ProcessElement
    public void process(@Element KV<Integer, CoGbkResult> group, MultiOutputReceiver out) {
      HorizonPool horizon = JoinWithPool.valueOf(group.getValue(), POOL);
      // One similarity index per (window, shard) group, shared by its examples; built on first use.
      FillerIndex index = horizon == null ? null
          : new FillerIndex(horizon.segments(), settings.seed());
      for (QaPair qa : group.getValue().getAll(QA)) {
        assembleOne(qa, horizon, index, out);
      }
    }

    private void assembleOne(QaPair qa, HorizonPool horizon, FillerIndex index,
        MultiOutputReceiver out) {
      Kind kind = kindOf(qa, settings.seed(), settings.shortContextRate(),
          settings.unanswerableRate());
      ContextAssembler.Result r;
      try {
        if (horizon == null) {
          throw new IllegalStateException("no filler pool for the window of this QA pair");
        }
        r = assembler.assemble(qa, kind, horizon.segments(), index);
        if (r.example() != null) {
          r.example().setFillerWindows(horizon.windowsOf(r.example().getFillerSegmentIds()));
        }
      } catch (RuntimeException e) {
        r = new ContextAssembler.Result(null, Failures.ofText(ContextAssembler.STAGE,
            Reason.INTERNAL_ERROR, e.toString(), qa.getDocId(), qa.getSource(), qa.getQuestion()));
      }
      if (r.example() != null) {
        Metrics.counter(AssembleContexts.class, "examples_" + kind.name().toLowerCase()).inc();
        contextTokens.update(r.example().getContextTokens());
        if (r.depthMisses() > 0) {
          depthMisses.inc(r.depthMisses());
        }
        out.get(EXAMPLES).output(r.example());
      } else {
        failed.inc();
        out.get(FAILURES).output(r.failure());
      }
    }
  }
}
