package org.in2stream.pipeline.assemble;

import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.pipeline.util.Seeds;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;

/**
 * Turns each QA pair into one training example: with probability {@code shortContextRate} (drawn per
 * request key) a SHORT_CONTEXT example with only its own text, otherwise a long context of its own
 * kind built by {@link ContextAssembler} from the window's filler pool ({@link HorizonPool}: the
 * segments of the window and the windows before it), recording which windows fed it.
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
   */
  public record Settings(String tokenizerSpec, TrainingTemplate template, long seed,
      LengthDistribution lengths, Placement placement, int maxSequenceTokens,
      int answerReserveTokens, double shortContextRate, String pipelineVersion)
      implements java.io.Serializable {}

  private final Settings settings;
  private final PCollectionView<HorizonPool> pool;

  public AssembleContexts(Settings settings, PCollectionView<HorizonPool> pool) {
    this.settings = settings;
    this.pool = pool;
  }

  @Override
  public PCollectionTuple expand(PCollection<QaPair> qa) {
    return qa.apply("Assemble", ParDo.of(new AssembleFn(settings, pool))
        .withSideInputs(pool)
        .withOutputTags(EXAMPLES, TupleTagList.of(FAILURES)));
  }

  /** The kind an example made from {@code qa} gets: a seeded draw per request key. */
  public static Kind kindOf(QaPair qa, long seed, double shortContextRate) {
    return Seeds.uniform(seed, "short-context", qa.getRequestKey()) < shortContextRate
        ? Kind.SHORT_CONTEXT
        : qa.getKind();
  }

  static final class AssembleFn extends DoFn<QaPair, LongContextExample> {
    private final Settings settings;
    private final PCollectionView<HorizonPool> pool;
    private final Counter failed = Metrics.counter(AssembleContexts.class, "failures");
    private final Counter depthMisses =
        Metrics.counter(AssembleContexts.class, "stratified_depth_misses");
    private final Distribution contextTokens =
        Metrics.distribution(AssembleContexts.class, "context_tokens");
    private transient ContextAssembler assembler;

    AssembleFn(Settings settings, PCollectionView<HorizonPool> pool) {
      this.settings = settings;
      this.pool = pool;
    }

    @Setup
    public void setup() {
      assembler = new ContextAssembler(Tokenizers.load(settings.tokenizerSpec()), settings);
    }

    @ProcessElement
    public void process(@Element QaPair qa, ProcessContext c, MultiOutputReceiver out) {
      Kind kind = kindOf(qa, settings.seed(), settings.shortContextRate());
      ContextAssembler.Result r;
      try {
        HorizonPool horizon = c.sideInput(pool);
        r = assembler.assemble(qa, kind, horizon.segments());
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
