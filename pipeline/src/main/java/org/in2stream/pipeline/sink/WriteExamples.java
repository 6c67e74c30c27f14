package org.in2stream.pipeline.sink;

import org.apache.avro.file.CodecFactory;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TupleTag;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;

/**
 * Writes examples to {@code <output>/examples/} and every failure of every stage to {@code
 * <output>/dead-letters/}, both as deflate-compressed Avro container files. Input: a tuple with
 * {@link #EXAMPLES} and {@link #FAILURES}.
 */
public final class WriteExamples extends PTransform<PCollectionTuple, PDone> {
  public static final TupleTag<LongContextExample> EXAMPLES = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};
  public static final String EXAMPLES_DIR = "examples";
  public static final String DEAD_LETTERS_DIR = "dead-letters";

  private final String output;
  private final int numShards;

  /**
   * @param numShards files per output; 0 lets the runner decide
   */
  public WriteExamples(String output, int numShards) {
    this.output = output.endsWith("/") ? output : output + "/";
    this.numShards = numShards;
  }

  @Override
  public PDone expand(PCollectionTuple input) {
    AvroIO.Write<LongContextExample> examples = AvroIO.write(LongContextExample.class)
        .to(output + EXAMPLES_DIR + "/part")
        .withSuffix(".avro")
        .withCodec(CodecFactory.deflateCodec(6));
    AvroIO.Write<Failure> failures = AvroIO.write(Failure.class)
        .to(output + DEAD_LETTERS_DIR + "/part")
        .withSuffix(".avro")
        .withCodec(CodecFactory.deflateCodec(6));
    if (numShards > 0) {
      examples = examples.withNumShards(numShards);
      failures = failures.withNumShards(numShards);
    }
    input.get(EXAMPLES).apply("WriteExampleFiles", examples);
    input.get(FAILURES).apply("WriteDeadLetterFiles", failures);
    return PDone.in(input.getPipeline());
  }
}
