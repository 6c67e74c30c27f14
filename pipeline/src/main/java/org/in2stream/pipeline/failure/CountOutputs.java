package org.in2stream.pipeline.failure;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;

/**
 * Counts what a job delivers, as metrics that live while it runs (Flink's reporters and REST API
 * show them) and that the launcher sums at the end: {@code CountOutputs.examples}, {@code
 * CountOutputs.examples_<kind>}, {@code CountOutputs.dead_letters} and {@code
 * CountOutputs.dead_letters_<REASON>}. The elements pass through unchanged; nothing is written.
 */
public final class CountOutputs {
  public static final String EXAMPLES = "examples";
  public static final String DEAD_LETTERS = "dead_letters";

  private CountOutputs() {}

  /** Counts examples, in total and by kind. */
  public static ParDo.SingleOutput<LongContextExample, LongContextExample> examples() {
    return ParDo.of(new DoFn<LongContextExample, LongContextExample>() {
      private final Counter all = Metrics.counter(CountOutputs.class, EXAMPLES);

      @ProcessElement
      public void process(@Element LongContextExample e, OutputReceiver<LongContextExample> out) {
        all.inc();
        Metrics.counter(CountOutputs.class, EXAMPLES + "_" + e.getKind().name().toLowerCase())
            .inc();
        out.output(e);
      }
    });
  }

  /** Counts dead letters, in total and by reason code. */
  public static ParDo.SingleOutput<Failure, Failure> deadLetters() {
    return ParDo.of(new DoFn<Failure, Failure>() {
      private final Counter all = Metrics.counter(CountOutputs.class, DEAD_LETTERS);

      @ProcessElement
      public void process(@Element Failure f, OutputReceiver<Failure> out) {
        all.inc();
        Metrics.counter(CountOutputs.class, DEAD_LETTERS + "_" + f.getReason()).inc();
        out.output(f);
      }
    });
  }
}
