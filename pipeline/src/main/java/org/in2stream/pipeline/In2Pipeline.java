package org.in2stream.pipeline;

import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.in2stream.pipeline.assemble.AssembleContexts;
import org.in2stream.pipeline.assemble.BuildFillerPool;
import org.in2stream.pipeline.assemble.TrainingTemplate;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.segment.SegmentDocuments;
import org.in2stream.pipeline.sink.WriteExamples;
import org.in2stream.pipeline.source.ReadDocuments;
import org.in2stream.pipeline.synth.OfflineQaGenerator;
import org.in2stream.pipeline.synth.QaGenerator;
import org.in2stream.pipeline.synth.SynthesizeQa;
import org.in2stream.pipeline.synth.llm.OpenAiQaGenerator;
import org.in2stream.pipeline.util.Version;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.RawRecord;
import org.in2stream.schema.Segment;

/**
 * Wiring only: ReadDocuments → SegmentDocuments → SynthesizeQa → AssembleContexts → WriteExamples,
 * with the failures of every step flattened into one dead-letter output. Step names are stable: they
 * become Flink operator ids.
 */
public final class In2Pipeline {
  private In2Pipeline() {}

  /** The two outputs of the pipeline before they are written, for tests and for sinks. */
  public record Outputs(PCollection<LongContextExample> examples, PCollection<Failure> failures,
      PCollection<Document> documents, PCollection<QaPair> qaPairs) {
    public PCollectionTuple asTuple() {
      return PCollectionTuple.of(WriteExamples.EXAMPLES, examples)
          .and(WriteExamples.FAILURES, failures);
    }
  }

  /** Builds the whole job, reading the configured Kafka topic and writing Avro files. */
  public static Outputs buildAndWrite(Pipeline pipeline, PipelineConfig config) {
    Outputs outputs = build(pipeline, config, ReadDocuments.fromKafka(config),
        generatorFactory(config));
    outputs.asTuple().apply("WriteExamples", new WriteExamples(config.output(),
        config.numShards()));
    return outputs;
  }

  /** The generator chosen by the configuration. */
  public static QaGenerator.Factory generatorFactory(PipelineConfig config) {
    return switch (config.generator()) {
      case OFFLINE -> OfflineQaGenerator.factory(config.seed());
      case OPENAI -> OpenAiQaGenerator.factory(config.llm());
    };
  }

  /** Builds the job from any source of raw records and any generator; writes nothing. */
  public static Outputs build(Pipeline pipeline, PipelineConfig config,
      PTransform<PBegin, PCollection<RawRecord>> source, QaGenerator.Factory generator) {
    return build(pipeline, config, ReadDocuments.from(source), generator);
  }

  private static Outputs build(Pipeline pipeline, PipelineConfig config, ReadDocuments read,
      QaGenerator.Factory generator) {
    Coders.register(pipeline);
    PCollectionTuple docs = pipeline.apply("ReadDocuments", read);

    PCollectionTuple segmented = docs.get(ReadDocuments.DOCUMENTS)
        .apply("SegmentDocuments", new SegmentDocuments(config.tokenizer(),
            config.minSegmentTokens(), config.maxParagraphTokens()));
    PCollection<List<Segment>> perDocument = segmented.get(SegmentDocuments.SEGMENTED);

    PCollectionTuple qa = perDocument.apply("SynthesizeQa", new SynthesizeQa(generator,
        config.seed(), config.fineGrainedPerDocument(), config.multiSegmentRate(),
        config.maxInFlight()));

    PCollectionView<List<Segment>> pool = perDocument
        .apply("FlattenSegments", Flatten.iterables())
        .apply("BuildFillerPool", new BuildFillerPool(config.seed(), config.fillerPoolSize()));

    AssembleContexts.Settings settings = new AssembleContexts.Settings(config.tokenizer(),
        TrainingTemplate.FILM_V1, config.seed(), config.minContextTokens(),
        config.maxContextTokens(), config.shortContextRate(), Version.PIPELINE);
    PCollectionTuple examples = qa.get(SynthesizeQa.QA)
        .apply("AssembleContexts", new AssembleContexts(settings, pool));

    PCollection<Failure> failures = PCollectionList
        .of(docs.get(ReadDocuments.FAILURES))
        .and(segmented.get(SegmentDocuments.FAILURES))
        .and(qa.get(SynthesizeQa.FAILURES))
        .and(examples.get(AssembleContexts.FAILURES))
        .apply("DeadLetters", Flatten.pCollections());

    return new Outputs(examples.get(AssembleContexts.EXAMPLES), failures,
        docs.get(ReadDocuments.DOCUMENTS), qa.get(SynthesizeQa.QA));
  }
}
