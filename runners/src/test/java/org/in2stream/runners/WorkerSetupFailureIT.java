package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.in2stream.pipeline.segment.SegmentDocuments;
import org.in2stream.pipeline.util.WorkerSetupException;
import org.in2stream.schema.Document;
import org.in2stream.schema.Source;
import org.junit.jupiter.api.Test;

/**
 * A configuration problem found on a worker fails a Flink streaming job once, with its cause, even
 * under a restart strategy that would retry: the embedded MiniCluster, checkpointing on, three
 * restarts allowed. A plain exception from the same setup is retried (the control), so the count of
 * setups shows the difference.
 */
class WorkerSetupFailureIT {
  private static final AtomicInteger SETUPS = new AtomicInteger();

  /** Counts its setups and fails each, as a configuration problem or as any other error. */
  static final class FailingSetupFn extends DoFn<String, String> {
    private final boolean configurationProblem;

    FailingSetupFn(boolean configurationProblem) {
      this.configurationProblem = configurationProblem;
    }

    @Setup
    public void setup() {
      SETUPS.incrementAndGet();
      WorkerSetupException.during("the test step", () -> {
        if (configurationProblem) {
          throw new IllegalArgumentException("no such file: /nowhere/settings.json");
        }
        return null;
      });
      throw new IllegalStateException("a transient failure of the test step");
    }

    @ProcessElement
    public void process(@Element String s, OutputReceiver<String> out) {
      out.output(s);
    }
  }

  private static FlinkPipelineOptions streamingOptions() {
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs(
        "--runner=" + FlinkRunner.class.getSimpleName(), "--flinkMaster=[local]",
        "--parallelism=1", "--streaming=true", "--checkpointingInterval=1000",
        "--numberOfExecutionRetries=3", "--executionRetryDelay=200")
        .as(FlinkPipelineOptions.class);
    return options;
  }

  private static Throwable runToFailure(Pipeline p) {
    return assertTimeoutPreemptively(Duration.ofMinutes(3),
        () -> assertThrows(RuntimeException.class, () -> p.run().waitUntilFinish()),
        "the job must end, not restart forever");
  }

  private static Optional<WorkerSetupException> setupError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof WorkerSetupException w) {
        return Optional.of(w);
      }
    }
    return Optional.empty();
  }

  @Test
  void aConfigurationProblemFailsTheJobOnceAndAnyOtherSetupErrorIsRetried() {
    SETUPS.set(0);
    Pipeline config = Pipeline.create(streamingOptions());
    config.apply(Create.of("a", "b")).apply(ParDo.of(new FailingSetupFn(true)));
    Throwable failed = runToFailure(config);
    WorkerSetupException cause = setupError(failed).orElseThrow(
        () -> new AssertionError("no WorkerSetupException in the failure", failed));
    assertTrue(cause.getMessage().contains("cannot set up the test step: no such file: "
        + "/nowhere/settings.json"), cause.getMessage());
    assertEquals(1, SETUPS.get(), "setups of a job whose setup has a configuration problem");

    SETUPS.set(0);
    Pipeline other = Pipeline.create(streamingOptions());
    other.apply(Create.of("a", "b")).apply(ParDo.of(new FailingSetupFn(false)));
    Throwable retried = runToFailure(other);
    assertTrue(setupError(retried).isEmpty(), "the control fails with a plain exception");
    assertEquals(4, SETUPS.get(), "setups of the control: the first and three restarts");
  }

  @Test
  void aTokenizerFileMissingOnTheWorkerFailsSegmentationWithThePath() {
    Pipeline p = Pipeline.create(streamingOptions());
    Document doc = Document.newBuilder().setId("d1").setText("One paragraph of text.")
        .setContentSha256("0").setSource(new Source("docs", 0, 0L, 0L)).build();
    p.apply(Create.of(doc).withCoder(AvroCoder.of(Document.class)))
        .apply(new SegmentDocuments("hf:/nowhere/tokenizer.json", 16, 512, 100_000));
    Throwable failed = runToFailure(p);
    WorkerSetupException cause = setupError(failed).orElseThrow(
        () -> new AssertionError("no WorkerSetupException in the failure", failed));
    assertTrue(cause.getMessage().contains("cannot set up the tokenizer hf:/nowhere/tokenizer.json")
        && cause.getMessage().contains("no readable tokenizer.json at /nowhere/tokenizer.json"),
        cause.getMessage());
  }
}
