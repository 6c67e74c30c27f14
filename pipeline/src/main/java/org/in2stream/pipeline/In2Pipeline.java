package org.in2stream.pipeline;

import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.in2stream.pipeline.assemble.AssembleContexts;
import org.in2stream.pipeline.assemble.BuildFillerPool;
import org.in2stream.pipeline.assemble.CheckExampleIds;
import org.in2stream.pipeline.assemble.DropBoilerplate;
import org.in2stream.pipeline.assemble.HorizonPool;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.config.Recipe;
import org.in2stream.pipeline.decontaminate.Decontaminate;
import org.in2stream.pipeline.dedup.DeduplicateQuestions;
import org.in2stream.pipeline.eval.EvalSide;
import org.in2stream.pipeline.eval.EvalSplit;
import org.in2stream.pipeline.failure.CountOutputs;
import org.in2stream.pipeline.segment.SegmentDocuments;
import org.in2stream.pipeline.sink.WriteExamples;
import org.in2stream.pipeline.source.Deduplicate;
import org.in2stream.pipeline.source.PartitionRange;
import org.in2stream.pipeline.source.RawKafka;
import org.in2stream.pipeline.source.ReadDocuments;
import org.in2stream.pipeline.source.ReplayRanges;
import org.in2stream.pipeline.synth.OfflineQaGenerator;
import org.in2stream.pipeline.synth.QaGenerator;
import org.in2stream.pipeline.synth.QaJournal;
import org.in2stream.pipeline.synth.SynthesizeQa;
import org.in2stream.pipeline.synth.llm.OpenAiQaGenerator;
import org.in2stream.pipeline.util.Version;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.RawRecord;
import org.in2stream.schema.Segment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: ReadDocuments → Deduplicate → (Decontaminate, with --decontaminate) → (EvalSplit, with
 * --evalSplit: evaluation documents go to SegmentEvalDocuments → SynthesizeEvalQa → eval/ files) →
 * SegmentDocuments →
 * DropBoilerplate (with BuildFillerPool's horizon) → SynthesizeQa → DeduplicateQuestions →
 * AssembleContexts → CheckExampleIds → WriteExamples, with the failures of every step flattened into
 * one dead-letter output. With {@code --readJournal} the steps before AssembleContexts are replaced by
 * ReadQaJournal. Step names are stable: they become Flink operator ids, and renaming one breaks
 * savepoint restore.
 */
public final class In2Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(In2Pipeline.class);

  private In2Pipeline() {}

  /** The outputs of the pipeline before they are written, for tests and for sinks. */
  public record Outputs(PCollection<LongContextExample> examples, PCollection<Failure> failures,
      PCollection<QaPair> qaPairs, EvalSide eval) {
    /** Without an evaluation side ({@code --evalSplit} off). */
    public Outputs(PCollection<LongContextExample> examples, PCollection<Failure> failures,
        PCollection<QaPair> qaPairs) {
      this(examples, failures, qaPairs, null);
    }

    public PCollectionTuple asTuple() {
      return PCollectionTuple.of(WriteExamples.EXAMPLES, examples)
          .and(WriteExamples.FAILURES, failures);
    }
  }

  /** Builds the whole job: Kafka in, Avro files and topics out. Resolves replay ranges now. */
  public static Outputs buildAndWrite(Pipeline pipeline, PipelineConfig config) {
    PTransform<PBegin, PCollection<RawRecord>> raw = rawSource(config);
    Outputs built = config.readJournal()
        ? buildFromJournal(pipeline, config, raw)
        : build(pipeline, config, raw, generatorFactory(config));
    // Live counts of what is delivered (metrics reporters, status.sh, the dead-letter share check).
    Outputs outputs = new Outputs(
        built.examples().apply("CountExamples", CountOutputs.examples()),
        built.failures().apply("CountDeadLetters", CountOutputs.deadLetters()),
        built.qaPairs(), built.eval());
    outputs.asTuple().apply("WriteExamples", new WriteExamples(new WriteExamples.Sinks(
        config.output(), config.numShards(), config.bootstrapServers(), config.outputTopic(),
        config.deadLetterTopic(), config.eosShards(), config.kafkaClientProperties()).withFormats(config.outputFormats())));
    if (outputs.eval() != null) {
      outputs.eval().write(config.output(), config.numShards());
    }
    if (config.qaJournalTopic() != null) {
      outputs.qaPairs().apply("JournalQa", QaJournal.write(config.bootstrapServers(),
          config.qaJournalTopic(), config.eosShards(), config.kafkaClientProperties()));
    }
    return outputs;
  }

  /** The raw records of the configured mode. */
  static PTransform<PBegin, PCollection<RawRecord>> rawSource(PipelineConfig config) {
    long maxDelayMillis = config.maxDelaySeconds() * 1000;
    if (config.mode() == PipelineConfig.Mode.STREAM) {
      return RawKafka.stream(config.bootstrapServers(), config.inputTopic(),
          config.consumerGroup(), config.streamStart(), maxDelayMillis,
          config.kafkaClientProperties());
    }
    List<PartitionRange> ranges = ReplayRanges.resolve(config.bootstrapServers(),
        config.inputTopic(), config.replayFrom(), config.replayTo(),
        config.kafkaClientProperties());
    long total = ranges.stream().mapToLong(PartitionRange::size).sum();
    LOG.info("replay of {} records: {}", total, ranges);
    return RawKafka.replay(config.bootstrapServers(), ranges, maxDelayMillis,
        config.kafkaClientProperties());
  }

  /** The generator chosen by the configuration. */
  public static QaGenerator.Factory generatorFactory(PipelineConfig config) {
    return switch (config.generator()) {
      case OFFLINE -> OfflineQaGenerator.factory(config.seed());
      case OPENAI -> OpenAiQaGenerator.factory(config.llm());
    };
  }

  /** Builds the job from any source of raw documents and any generator; writes nothing. */
  public static Outputs build(Pipeline pipeline, PipelineConfig config,
      PTransform<PBegin, PCollection<RawRecord>> source, QaGenerator.Factory generator) {
    Coders.register(pipeline);
    PCollectionTuple docs = pipeline.apply("ReadDocuments",
        new ReadDocuments(source, config.window(), config.input()));
    Recipe recipe = config.recipe();

    PCollectionTuple unique = docs.get(ReadDocuments.DOCUMENTS)
        .apply("Deduplicate", new Deduplicate(config.dedup()));
    PCollection<Document> clean = unique.get(Deduplicate.UNIQUE);
    PCollectionList<Failure> failureList = PCollectionList.of(docs.get(ReadDocuments.FAILURES))
        .and(unique.get(Deduplicate.FAILURES));
    if (recipe.decontaminate() != null) {
      PCollectionTuple checked = clean.apply("Decontaminate",
          new Decontaminate(recipe.decontaminate()));
      clean = checked.get(Decontaminate.CLEAN);
      failureList = failureList.and(checked.get(Decontaminate.FAILURES));
    }
    // With --evalSplit, evaluation documents leave here: never a filler, a training question or in
    // the QA journal; they get their own QA pairs (SynthesizeEvalQa) for the probes.
    PCollection<Document> evalDocs = null;
    if (config.evalSplit() != null) {
      PCollectionTuple routed = clean.apply("EvalSplit",
          new EvalSplit(config.evalSplit(), config.seed()));
      clean = routed.get(EvalSplit.TRAIN);
      evalDocs = routed.get(EvalSplit.EVAL);
    }

    PCollectionTuple segmented = clean
        .apply("SegmentDocuments", new SegmentDocuments(config.tokenizer(),
            config.minSegmentTokens(), config.maxParagraphTokens(), config.maxDocumentTokens()));
    PCollection<List<Segment>> perDocument = segmented.get(SegmentDocuments.SEGMENTED);

    // The filler pool of each window over its horizon; its boilerplate texts are never asked about.
    PCollection<Segment> poolInput = perDocument.apply("FlattenSegments", Flatten.iterables());
    PCollection<HorizonPool> pool = fillerPool(config, poolInput);
    PCollectionTuple asked = perDocument.apply("DropBoilerplate", new DropBoilerplate(pool,
        config.tokenizer()));

    PCollectionTuple qa = asked.get(DropBoilerplate.KEPT).apply("SynthesizeQa",
        new SynthesizeQa(generator, config.seed(), recipe.questionsPerDocument(),
            recipe.mixture().multiSegmentShare(), config.maxInFlight())
            .withVerification(config.verify())
            .withMaxSourceTokens(config.llm() == null ? config.maxContextTokens()
                : Math.min(config.maxContextTokens(), config.llm().maxSourceTokens())));

    PCollection<QaPair> qaPairs = qa.get(SynthesizeQa.QA);
    if (config.dedup().questionsOn()) {
      PCollectionTuple distinctQa = qaPairs.apply("DeduplicateQuestions",
          new DeduplicateQuestions(config.dedup().questions()));
      qaPairs = distinctQa.get(DeduplicateQuestions.KEPT);
      failureList = failureList.and(distinctQa.get(DeduplicateQuestions.FAILURES));
    }

    PCollectionTuple examples = assemble(config, qaPairs, pool);
    PCollectionTuple checked = examples.get(AssembleContexts.EXAMPLES)
        .apply("CheckExampleIds", new CheckExampleIds());

    EvalSide eval = null;
    if (evalDocs != null) {
      PCollectionTuple evalSegmented = evalDocs.apply("SegmentEvalDocuments",
          new SegmentDocuments(config.tokenizer(), config.minSegmentTokens(),
              config.maxParagraphTokens(), config.maxDocumentTokens()));
      PCollectionTuple evalQa = evalSegmented.get(SegmentDocuments.SEGMENTED).apply(
          "SynthesizeEvalQa", new SynthesizeQa(generator, config.seed(),
              recipe.questionsPerDocument(), recipe.mixture().multiSegmentShare(),
              config.maxInFlight())
              .withVerification(config.verify())
              .withMaxSourceTokens(config.llm() == null ? config.maxContextTokens()
                  : Math.min(config.maxContextTokens(), config.llm().maxSourceTokens())));
      failureList = failureList.and(evalSegmented.get(SegmentDocuments.FAILURES))
          .and(evalQa.get(SynthesizeQa.FAILURES));
      eval = new EvalSide(evalDocs, evalQa.get(SynthesizeQa.QA));
    }

    PCollection<Failure> failures = failureList
        .and(segmented.get(SegmentDocuments.FAILURES))
        .and(asked.get(DropBoilerplate.FAILURES))
        .and(qa.get(SynthesizeQa.FAILURES))
        .and(examples.get(AssembleContexts.FAILURES))
        .and(checked.get(CheckExampleIds.FAILURES))
        .apply("DeadLetters", Flatten.pCollections());
    return new Outputs(checked.get(CheckExampleIds.EXAMPLES), failures, qaPairs, eval);
  }

  /**
   * Re-assembles contexts from a QA journal: no generator call. The filler pool of a window is made
   * of the segments the window's QA pairs carry.
   */
  public static Outputs buildFromJournal(Pipeline pipeline, PipelineConfig config,
      PTransform<PBegin, PCollection<RawRecord>> source) {
    Coders.register(pipeline);
    PCollectionTuple journal = pipeline.apply("ReadQaJournal",
        QaJournal.read(source, config.window()));
    PCollection<QaPair> qa = journal.get(QaJournal.QA);
    PCollection<Segment> poolInput = qa
        .apply("SegmentsOfQa", MapElements.into(new TypeDescriptor<List<Segment>>() {})
            .via(QaPair::getSegments))
        .setCoder(org.apache.beam.sdk.coders.ListCoder.of(
            org.apache.beam.sdk.extensions.avro.coders.AvroCoder.specific(Segment.class)))
        .apply("FlattenSegments", Flatten.iterables());
    PCollectionTuple examples = assemble(config, qa, fillerPool(config, poolInput));
    PCollectionTuple checked = examples.get(AssembleContexts.EXAMPLES)
        .apply("CheckExampleIds", new CheckExampleIds());
    PCollection<Failure> failures = PCollectionList
        .of(journal.get(QaJournal.FAILURES))
        .and(examples.get(AssembleContexts.FAILURES))
        .and(checked.get(CheckExampleIds.FAILURES))
        .apply("DeadLetters", Flatten.pCollections());
    return new Outputs(checked.get(CheckExampleIds.EXAMPLES), failures, qa);
  }

  /** The filler pool (and boilerplate texts) of each window over its horizon of windows. */
  private static PCollection<HorizonPool> fillerPool(PipelineConfig config,
      PCollection<Segment> poolInput) {
    return poolInput.apply("BuildFillerPool", new BuildFillerPool(config.seed(),
        config.fillerPoolSize(), config.window(), config.fillerHorizonWindows(),
        config.boilerplateMinDocuments(), config.tokenizer()));
  }

  private static PCollectionTuple assemble(PipelineConfig config, PCollection<QaPair> qa,
      PCollection<HorizonPool> pool) {
    Recipe recipe = config.recipe();
    AssembleContexts.Settings settings = new AssembleContexts.Settings(config.tokenizer(),
        recipe.template(), config.seed(), recipe.lengths(), recipe.placement(),
        recipe.maxSequenceTokens(), recipe.answerReserveTokens(),
        recipe.mixture().shortContextShare(), Version.PIPELINE)
        .with(config.fillerHardness(), recipe.mixture().unanswerableShare());
    return qa.apply("AssembleContexts", new AssembleContexts(settings, pool));
  }
}
