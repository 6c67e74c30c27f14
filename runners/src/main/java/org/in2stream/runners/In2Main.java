package org.in2stream.runners;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.aws2.options.AwsOptions;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.aws2.s3.SSECustomerKey;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.in2stream.pipeline.In2Pipeline;
import org.in2stream.pipeline.config.In2Options;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.config.Preflight;
import org.in2stream.pipeline.failure.CountOutputs;
import org.in2stream.pipeline.source.PartitionRange;
import org.in2stream.pipeline.source.ReplayRanges;
import org.in2stream.pipeline.source.WindowCorpusCheck;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.pipeline.util.FileUris;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Runs the job on Flink: on the embedded MiniCluster by default ({@code --flinkMaster=[local]}), on
 * a cluster with {@code --flinkMaster=host:port}, or on the cluster of the Flink client that runs
 * this jar ({@code flink run}, application mode), where {@code [auto]} is kept. Main only parses options; {@link #run} builds
 * and runs, and tests call it too.
 */
public final class In2Main {
  private In2Main() {}

  /** Options of the job and of the Flink runner. */
  public interface Options extends In2Options, FlinkPipelineOptions {}

  public static void main(String[] args) {
    int status = execute(args);
    if (status != 0) {
      System.exit(status); // only on failure: under Flink's CLI or in application mode, exit kills the JVM
    }
  }

  /**
   * Runs the job and returns the exit status: 0 when it did its work, 2 for a configuration error
   * (one line, no stack trace), 1 when the job failed, 3 when a bounded run ended with more dead
   * letters than {@code --maxDeadLetterShare} allows (with a summary by reason).
   */
  public static int execute(String... args) {
    Options options;
    PipelineConfig config;
    try {
      Prepared prepared = prepare(args);
      options = prepared.options();
      config = prepared.config();
      corpusWarning(config).ifPresent(w -> System.err.println("in2-stream: warning: " + w));
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("in2-stream: " + e.getMessage());
      return 2;
    }
    PipelineResult result = run(options, config);
    if (config.mode() == PipelineConfig.Mode.STREAM && !options.getAttachedMode()) {
      System.out.println("in2-stream: streaming job submitted to " + options.getFlinkMaster()
          + "; it runs until cancelled");
      return 0;
    }
    PipelineResult.State state = result.waitUntilFinish();
    Map<String, Long> counters = counters(result);
    printCounters(counters);
    writeCounters(counters, config.output());
    if (state != PipelineResult.State.DONE) {
      System.err.println("in2-stream: job ended in state " + state);
      return 1;
    }
    Optional<String> tooMany = deadLetterVerdict(counters, config.maxDeadLetterShare());
    if (tooMany.isPresent()) {
      System.err.println("in2-stream: " + tooMany.get());
      return 3;
    }
    return 0;
  }

  /**
   * The failure message when dead letters are more than {@code maxShare} of everything delivered
   * (examples + dead letters, from the {@link CountOutputs} counters), with the count of each
   * reason, largest first; empty when the run is within the limit.
   */
  public static Optional<String> deadLetterVerdict(Map<String, Long> counters, double maxShare) {
    String prefix = CountOutputs.class.getSimpleName() + ".";
    long examples = counters.getOrDefault(prefix + CountOutputs.EXAMPLES, 0L);
    long dead = counters.getOrDefault(prefix + CountOutputs.DEAD_LETTERS, 0L);
    if (dead == 0 || dead <= maxShare * (examples + dead)) {
      return Optional.empty();
    }
    String reasonPrefix = prefix + CountOutputs.DEAD_LETTERS + "_";
    String byReason = counters.entrySet().stream()
        .filter(e -> e.getKey().startsWith(reasonPrefix) && e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .map(e -> e.getKey().substring(reasonPrefix.length()) + "=" + e.getValue())
        .collect(Collectors.joining(", "));
    return Optional.of(String.format(Locale.ROOT, "%d of %d outputs are dead letters (%.1f%% > "
        + "--maxDeadLetterShare=%s): %s; the dead-letter files say why for each record",
        dead, examples + dead, 100.0 * dead / (examples + dead), maxShare, byReason));
  }

  /**
   * For a replay: a warning when some event-time window holds too few tokens to fill the
   * configured context lengths ({@link WindowCorpusCheck}); empty otherwise or when the replay is
   * too large to read twice.
   */
  static Optional<String> corpusWarning(PipelineConfig config) {
    if (config.mode() != PipelineConfig.Mode.REPLAY || config.readJournal()) {
      return Optional.empty();
    }
    List<PartitionRange> ranges = ReplayRanges.resolve(config.bootstrapServers(),
        config.inputTopic(), config.replayFrom(), config.replayTo(),
        config.kafkaClientProperties());
    return WindowCorpusCheck.read(config.bootstrapServers(), ranges,
            config.kafkaClientProperties(), Tokenizers.load(config.tokenizer()),
            config.windowSeconds(), config.input().maxDocumentBytes())
        .flatMap(w -> WindowCorpusCheck.verdict(w, config.minContextTokens(),
            config.maxContextTokens(), config.windowSeconds()));
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
    rejectSecretsInOptions(options);
    PipelineConfig config = PipelineConfig.from(options);
    checkCachePathOnCluster(options, config);
    checkRemoteInputs(options, config);
    Preflight.check(config);
    return new Prepared(options, config);
  }

  /**
   * Secrets never travel in pipeline options: Beam serialises the options into the job graph and
   * Flink shows them in its web UI and logs. AWS credentials given as
   * {@code --awsCredentialsProvider={"@type":"StaticCredentialsProvider",...}} and an SSE-C key in
   * {@code --SSECustomerKey} are refused; workers take credentials from the AWS default chain
   * (environment variables, credential files, instance or pod roles).
   */
  static void rejectSecretsInOptions(Options options) {
    if (options.as(AwsOptions.class).getAwsCredentialsProvider()
        instanceof StaticCredentialsProvider) {
      throw new IllegalArgumentException("--awsCredentialsProvider with a static key would put the "
          + "secret into the job graph and the Flink UI; drop it and set AWS_ACCESS_KEY_ID and "
          + "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or an instance/pod role) on every worker");
    }
    SSECustomerKey sse = options.as(S3Options.class).getSSECustomerKey();
    if (sse != null && sse.getKey() != null) {
      throw new IllegalArgumentException("--SSECustomerKey would put the encryption key into the "
          + "job graph and the Flink UI; use SSE-KMS (--SSEKMSKeyId) or bucket default encryption");
    }
  }

  /**
   * A {@code file:} response cache with a relative path resolves against each TaskManager's working
   * directory, which on a cluster is a different, often ephemeral, folder on every worker: replays
   * would miss the cache and call the LLM again. Off the embedded MiniCluster such a path is an error;
   * an absolute path (a mount every worker shares), {@code redis://} or {@code none} is required.
   */
  static void checkCachePathOnCluster(Options options, PipelineConfig config) {
    if (config.generator() != PipelineConfig.Generator.OPENAI || config.llm() == null
        || "[local]".equals(options.getFlinkMaster())) {
      return;
    }
    String spec = config.llm().cache();
    if (spec != null && spec.startsWith("file:")
        && !java.nio.file.Path.of(spec.substring("file:".length())).isAbsolute()) {
      throw new IllegalArgumentException("--llmCache=" + spec + " is relative to each TaskManager's "
          + "working directory on a cluster (a different folder on every worker); give an absolute "
          + "path on a mount all TaskManagers share (--llmCache=file:/mnt/in2/llm-cache), "
          + "--llmCache=redis://host:port or --llmCache=none");
    }
  }

  /**
   * Inputs named by a URI ({@code --decontaminate=s3://bucket/eval.txt}) are looked up before the
   * job starts, through Beam's file systems configured with the job's options (region, endpoint,
   * client factory), so that a wrong bucket, key or endpoint is one line here rather than a failing
   * task on every worker.
   */
  static void checkRemoteInputs(Options options, PipelineConfig config) {
    String eval = config.recipe().decontaminate();
    if (!FileUris.isRemote(eval)) {
      return;
    }
    FileSystems.setDefaultPipelineOptions(options);
    try {
      FileUris.single(eval);
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException("--decontaminate=" + eval + ": no object there");
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("--decontaminate=" + eval + " cannot be read: " + e);
    }
  }

  /** Parses arguments with Flink defaults for a local run. */
  public static Options parse(String... args) {
    PipelineOptionsFactory.register(Options.class);
    PipelineOptionsFactory.register(S3Options.class); // also service-loaded (S3OptionsRegistrar)
    List<String> all = new ArrayList<>(List.of(args));
    if (all.stream().noneMatch(a -> a.startsWith("--runner="))) {
      all.add(0, "--runner=" + FlinkRunner.class.getSimpleName());
    }
    Options options = PipelineOptionsFactory.fromArgs(all.toArray(String[]::new))
        .withValidation().as(Options.class);
    if ((options.getFlinkMaster() == null || options.getFlinkMaster().isEmpty()
        || "[auto]".equals(options.getFlinkMaster())) && !insideFlinkClient()) {
      options.setFlinkMaster("[local]");
    }
    if (all.stream().noneMatch(a -> a.startsWith("--objectReuse="))) {
      // Flink otherwise copies every element between chained operators through its coder (an
      // encode and a decode of each 32K-token example). Our DoFns never mutate their inputs: the
      // pipeline tests run on the direct runner, which fails a test on any such mutation
      // (enforceImmutability), and ParallelismIT compares the output with and without reuse.
      options.setObjectReuse(true);
    }
    if ("stream".equalsIgnoreCase(options.getMode())) {
      streamingDefaults(options, all);
    } else if (!insideFlinkClient()) {
      largeRecordHandler(options);
    }
    return options;
  }

  /** Flink's switch that lets its batch sorter take a record larger than one sort buffer. */
  static final String LARGE_RECORD_HANDLER = "taskmanager.runtime.large-record-handler";

  /**
   * A replay runs as a Flink batch job, whose sorters refuse a record larger than a sort buffer
   * unless the large-record handler is on, and a window's filler pool is one record of the pool
   * join (megabytes at the default 20,000 segments). The switch is read where the job graph is
   * made, from the configuration of this client: the folder of {@code --flinkConfDir}, else of
   * {@code FLINK_CONF_DIR}. This copies that folder's configuration file into a folder of its own
   * with the switch added, unless the file sets it already, and points {@code --flinkConfDir}
   * there. (Jobs started with {@code flink run} take the cluster's configuration; docs/deploy.md.)
   */
  static void largeRecordHandler(Options options) {
    String from = options.getFlinkConfDir();
    if (from == null || from.isBlank()) {
      from = System.getenv("FLINK_CONF_DIR");
    }
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("in2-flink-conf");
      String name = "flink-conf.yaml";
      String text = "";
      if (from != null && !from.isBlank()) {
        for (String candidate : List.of("config.yaml", "flink-conf.yaml")) {
          java.nio.file.Path f = java.nio.file.Path.of(from, candidate);
          if (java.nio.file.Files.isRegularFile(f)) {
            name = candidate;
            text = java.nio.file.Files.readString(f);
            break;
          }
        }
      }
      if (!text.contains(LARGE_RECORD_HANDLER)) {
        text = (text.isEmpty() || text.endsWith("\n") ? text : text + "\n")
            + LARGE_RECORD_HANDLER + ": true\n";
      }
      java.nio.file.Files.writeString(dir.resolve(name), text);
      dir.toFile().deleteOnExit();
      dir.resolve(name).toFile().deleteOnExit();
      options.setFlinkConfDir(dir.toString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot write the Flink configuration of a replay: "
          + e.getMessage(), e);
    }
  }

  /**
   * True when this JVM runs the job for a Flink client: {@code flink run} (CliFrontend), an
   * application-mode JobManager or the Kubernetes Operator. Flink then installs a context
   * environment, and explicit local or remote environments are not allowed; {@code [auto]} stays,
   * so that Beam's runner takes that context (the cluster the job was started in).
   */
  static boolean insideFlinkClient() {
    return !org.apache.flink.api.java.ExecutionEnvironment.areExplicitEnvironmentsAllowed();
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
    stableInputBuffers(options, args);
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

  /**
   * The smallest {@code --numConcurrentCheckpoints} the exactly-once Kafka writers are safe with,
   * and the default this job uses ({@link #stableInputBuffers}).
   */
  static final int MIN_STABLE_INPUT_CHECKPOINTS = 2;
  static final int DEFAULT_STABLE_INPUT_CHECKPOINTS = 8;

  /**
   * Beam's exactly-once Kafka writer is a {@code @RequiresStableInput} step. On Flink, Beam holds
   * its input back in a ring of {@code numConcurrentCheckpoints + 1} buffers, one per checkpoint
   * not yet confirmed, and releases a buffer when its checkpoint completes. With the default of one
   * concurrent checkpoint the ring has two buffers, and after every restore the buffer of the
   * restored checkpoint is still full when the ring comes back to it: records that arrive after the
   * next checkpoint's barrier land in it and are written to Kafka when that checkpoint completes,
   * before any checkpoint holds the sequence numbers Beam gave them. A second failure in that
   * window replays them under other numbers, and the writer skips them as already written while
   * others are written twice (the chaos run of 2026-12-02: 9 records lost and 9 duplicated after a
   * TaskManager was killed 4 s after a restore). A ring of {@code 8 + 1} buffers keeps every
   * unconfirmed checkpoint in its own buffer; a minimum pause keeps Flink from stacking checkpoints.
   * An explicit value below {@link #MIN_STABLE_INPUT_CHECKPOINTS} is refused.
   */
  static void stableInputBuffers(Options options, List<String> args) {
    if (args.stream().noneMatch(a -> a.startsWith("--numConcurrentCheckpoints="))) {
      options.setNumConcurrentCheckpoints(DEFAULT_STABLE_INPUT_CHECKPOINTS);
    } else if (options.getNumConcurrentCheckpoints() < MIN_STABLE_INPUT_CHECKPOINTS) {
      throw new IllegalArgumentException("--numConcurrentCheckpoints="
          + options.getNumConcurrentCheckpoints() + " is unsafe for the exactly-once Kafka writers "
          + "(Beam's Flink runner then reuses an unconfirmed checkpoint's input buffer after a "
          + "restore); use at least " + MIN_STABLE_INPUT_CHECKPOINTS + " (default "
          + DEFAULT_STABLE_INPUT_CHECKPOINTS + ")");
    }
    if (args.stream().noneMatch(a -> a.startsWith("--minPauseBetweenCheckpoints="))) {
      options.setMinPauseBetweenCheckpoints(Math.min(1_000L, options.getCheckpointingInterval() / 2));
    }
    if (args.stream().noneMatch(a -> a.startsWith("--checkpointTimeoutMillis="))) {
      options.setCheckpointTimeoutMillis(DEFAULT_CHECKPOINT_TIMEOUT_MILLIS);
    }
  }

  /**
   * A checkpoint's barrier waits behind the window a task is firing: a burst window can take many
   * minutes to assemble. Flink's default timeout of 10 minutes then expires the checkpoint, and
   * with Beam's default (fail on checkpointing errors) the job restarts and fires the same window
   * again, a loop that never commits it (a burst of 10,000 documents on a loaded 2-core machine,
   * 2026-12-02). Streams wait 30 minutes unless told otherwise.
   */
  static final long DEFAULT_CHECKPOINT_TIMEOUT_MILLIS = 30 * 60_000L;

  /** Builds the pipeline from a checked configuration and starts it. */
  public static PipelineResult run(Options options, PipelineConfig config) {
    Pipeline pipeline = Pipeline.create(options);
    In2Pipeline.buildAndWrite(pipeline, config);
    return pipeline.run();
  }

  /** Prints the job's counters, one per line, sorted by name. */
  static void printCounters(PipelineResult result) {
    printCounters(counters(result));
  }

  static void printCounters(Map<String, Long> counters) {
    System.out.println("Counters:");
    counters.forEach((name, value) -> System.out.printf("  %-45s %,d%n", name, value));
  }

  /** The file below --output where a finished job leaves its counters, for the dataset card. */
  public static final String COUNTERS_FILE = "job-counters.tsv";

  /**
   * Writes the counters of a finished job to {@code <output>/job-counters.tsv} (name, tab, value per
   * line), so tools that read the output (the dataset card) can report what only counters know.
   */
  static void writeCounters(Map<String, Long> counters, String output) {
    if (output == null) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    counters.forEach((name, value) -> sb.append(name).append('\t').append(value)
        .append('\n'));
    if (FileUris.isRemote(output)) {
      String uri = (output.endsWith("/") ? output : output + "/") + COUNTERS_FILE;
      try (java.nio.channels.WritableByteChannel ch = FileSystems.create(
          FileSystems.matchNewResource(uri, false), "text/tab-separated-values")) {
        ch.write(java.nio.ByteBuffer.wrap(sb.toString().getBytes(
            java.nio.charset.StandardCharsets.UTF_8)));
      } catch (java.io.IOException | RuntimeException e) {
        System.err.println("in2-stream: could not write " + uri + ": " + e);
      }
      return;
    }
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
