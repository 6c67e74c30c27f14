package org.in2stream.runners;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.in2stream.pipeline.In2Pipeline;
import org.in2stream.pipeline.config.In2Options;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.config.Preflight;

/**
 * Runs the job on Flink: on the embedded MiniCluster by default ({@code --flinkMaster=[local]}), or
 * on a cluster with {@code --flinkMaster=host:port}. Main only parses options; {@link #run} builds
 * and runs, and tests call it too.
 */
public final class In2Main {
  private In2Main() {}

  /** Options of the job and of the Flink runner. */
  public interface Options extends In2Options, FlinkPipelineOptions {}

  public static void main(String[] args) {
    Options options;
    PipelineConfig config;
    try {
      Prepared prepared = prepare(args);
      options = prepared.options();
      config = prepared.config();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("in2-stream: " + e.getMessage());
      System.exit(2);
      return;
    }
    PipelineResult result = run(options, config);
    if (config.mode() == PipelineConfig.Mode.STREAM && !options.getAttachedMode()) {
      System.out.println("in2-stream: streaming job submitted to " + options.getFlinkMaster()
          + "; it runs until cancelled");
      return;
    }
    PipelineResult.State state = result.waitUntilFinish();
    printCounters(result);
    writeCounters(result, config.output());
    if (state != PipelineResult.State.DONE) {
      System.err.println("in2-stream: job ended in state " + state);
      System.exit(1);
    }
  }

  /** Options and the checked configuration, after the preflight checks. */
  public record Prepared(Options options, PipelineConfig config) {}

  /**
   * Everything that runs before any data moves: parsing (unknown options and values), the
   * configuration's cross-field checks, then {@link Preflight} (tokenizer, broker, topic, LLM
   * server). Throws {@link IllegalArgumentException} or {@link IllegalStateException} with a message
   * that says what to fix.
   */
  public static Prepared prepare(String... args) {
    Options options = parse(args);
    PipelineConfig config = PipelineConfig.from(options);
    Preflight.check(config);
    return new Prepared(options, config);
  }

  /** Parses arguments with Flink defaults for a local run. */
  public static Options parse(String... args) {
    PipelineOptionsFactory.register(Options.class);
    List<String> all = new ArrayList<>(List.of(args));
    if (all.stream().noneMatch(a -> a.startsWith("--runner="))) {
      all.add(0, "--runner=" + FlinkRunner.class.getSimpleName());
    }
    Options options = PipelineOptionsFactory.fromArgs(all.toArray(String[]::new))
        .withValidation().as(Options.class);
    if (options.getFlinkMaster() == null || options.getFlinkMaster().isEmpty()
        || "[auto]".equals(options.getFlinkMaster())) {
      options.setFlinkMaster("[local]");
    }
    if ("stream".equalsIgnoreCase(options.getMode())) {
      streamingDefaults(options, all);
    }
    return options;
  }

  /**
   * A stream runs for weeks: exactly-once checkpoints every 30 s (unless set), kept when the job is
   * cancelled so that it can be restored, and a fixed max parallelism so state can be rescaled.
   */
  static void streamingDefaults(Options options, List<String> args) {
    options.setStreaming(true);
    if (args.stream().noneMatch(a -> a.startsWith("--checkpointingInterval="))) {
      options.setCheckpointingInterval(30_000L);
    }
    if (args.stream().noneMatch(a -> a.startsWith("--checkpointingMode="))) {
      options.setCheckpointingMode("EXACTLY_ONCE");
    }
    if (args.stream().noneMatch(a -> a.startsWith("--externalizedCheckpointsEnabled="))) {
      options.setExternalizedCheckpointsEnabled(true);
    }
    if (args.stream().noneMatch(a -> a.startsWith("--retainExternalizedCheckpointsOnCancellation="))) {
      options.setRetainExternalizedCheckpointsOnCancellation(true);
    }
    if (args.stream().noneMatch(a -> a.startsWith("--maxParallelism="))) {
      options.setMaxParallelism(128);
    }
    if ("[local]".equals(options.getFlinkMaster())
        && args.stream().noneMatch(a -> a.startsWith("--stateBackendStoragePath="))) {
      // The MiniCluster keeps checkpoints in JobManager memory (5 MB at most) unless told otherwise.
      options.setStateBackend("filesystem");
      options.setStateBackendStoragePath(java.nio.file.Path.of(
          System.getProperty("java.io.tmpdir"), "in2-stream-checkpoints").toUri().toString());
    }
    if (!"[local]".equals(options.getFlinkMaster())
        && args.stream().noneMatch(a -> a.startsWith("--attachedMode="))) {
      options.setAttachedMode(false); // submit and return; the cluster runs the stream
    }
  }

  /** Builds the pipeline from a checked configuration and starts it. */
  public static PipelineResult run(Options options, PipelineConfig config) {
    Pipeline pipeline = Pipeline.create(options);
    In2Pipeline.buildAndWrite(pipeline, config);
    return pipeline.run();
  }

  /** Prints the job's counters, one per line, sorted by name. */
  static void printCounters(PipelineResult result) {
    Map<String, Long> counters = counters(result);
    System.out.println("Counters:");
    counters.forEach((name, value) -> System.out.printf("  %-45s %,d%n", name, value));
  }

  /** The file below --output where a finished job leaves its counters, for the dataset card. */
  public static final String COUNTERS_FILE = "job-counters.tsv";

  /**
   * Writes the counters of a finished job to {@code <output>/job-counters.tsv} (name, tab, value per
   * line), so tools that read the output (the dataset card) can report what only counters know.
   */
  static void writeCounters(PipelineResult result, String output) {
    if (output == null || output.contains("://")) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    counters(result).forEach((name, value) -> sb.append(name).append('\t').append(value)
        .append('\n'));
    try {
      java.nio.file.Files.createDirectories(java.nio.file.Path.of(output));
      java.nio.file.Files.writeString(java.nio.file.Path.of(output, COUNTERS_FILE), sb);
    } catch (java.io.IOException e) {
      System.err.println("in2-stream: could not write " + COUNTERS_FILE + ": " + e);
    }
  }

  /** The job's counters as {@code Namespace.name → value} (committed values where supported). */
  public static Map<String, Long> counters(PipelineResult result) {
    Map<String, Long> out = new TreeMap<>();
    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder().build());
    for (MetricResult<Long> c : metrics.getCounters()) {
      String ns = c.getName().getNamespace();
      String name = ns.substring(ns.lastIndexOf('.') + 1) + "." + c.getName().getName();
      Long value;
      try {
        value = c.getCommitted();
      } catch (UnsupportedOperationException e) {
        value = c.getAttempted();
      }
      out.merge(name, value == null ? 0L : value, Long::sum);
    }
    return out;
  }
}
