package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkExecutionEnvironments;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.util.common.ReflectHelpers;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.synth.llm.FakeLlmServer;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.OutputReport;
import org.in2stream.runners.tools.ProduceDocs;
import org.in2stream.schema.Failure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job with the OpenAI-compatible generator, on the Flink runner's MiniCluster, reading a
 * real in-JVM Kafka broker and calling the fake OpenAI-compatible server over HTTP.
 */
class LlmPipelineIT {
  private static final int MAX_IN_FLIGHT = 4;
  private static final int PARALLELISM = 2;
  private static final int MAX_RETRIES = 6;
  private static final String[] TRANSPORT_ONLY = {"--verify=lexical", "--qaAttempts=1"};
  @RegisterExtension
  static final EmbeddedKafka.PerClass kafka = new EmbeddedKafka.PerClass();

  /** Produces a generated corpus (with a few bad records) to a new topic; returns records sent. */
  private static long produce(Path tmp, String topic, int docs) throws Exception {
    Path corpus = tmp.resolve("corpus-" + topic);
    GenerateCorpus.generate(corpus, docs, 23, true);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), topic, 2);
    return ProduceDocs.produce(kafka.bootstrapServers(), topic, corpus);
  }

  private static In2Main.Options options(String topic, long sent, Path out, String llmUrl,
      Path cache, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=" + topic,
        "--output=" + out,
        "--parallelism=" + PARALLELISM,
        "--maxContextTokens=8192",
        "--minContextTokens=2048",
        "--mixture=7:3:1",
        "--generator=openai",
        "--llmUrl=" + llmUrl,
        "--llmModel=fake-model",
        "--llmCache=file:" + cache,
        "--maxInFlight=" + MAX_IN_FLIGHT,
        "--llmRequestTimeoutMs=2000",
        "--llmMaxRetries=" + MAX_RETRIES,
        "--llmRetryBudgetMs=30000",
        "--llmBackoffBaseMs=50",
        "--llmBackoffMaxMs=1000",
        "--llmPriceInputPerMTok=0.15",
        "--llmPriceOutputPerMTok=0.6"));
    args.addAll(List.of(extra));
    return In2Main.parse(args.toArray(String[]::new));
  }

  private static Map<String, Long> run(In2Main.Options options) {
    PipelineResult result = In2Main.run(options, PipelineConfig.from(options));
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    return In2Main.counters(result);
  }

  private static Set<String> reasonNames() {
    Set<String> names = new HashSet<>();
    for (Reason r : Reason.values()) {
      names.add(r.name());
    }
    return names;
  }

  /**
   * The transport under faults: one generation call per question slot (--qaAttempts=1, lexical
   * verification), so the call and dead-letter arithmetic below is exact. The verification calls and
   * regeneration are tested in VerificationIT.
   */
  @Test
  void faultMixEndsEveryDocumentSomewhereWithinBoundsAndReplaysMakeNoCalls(@TempDir Path tmp)
      throws Exception {
    long sent = produce(tmp, "llm-faults", 120);
    Path cache = tmp.resolve("cache");
    // 30% 429 (half with Retry-After: 1), 5% 5xx, 2% hangs past the 2 s timeout, 5% malformed.
    FakeLlmServer.Config faults = FakeLlmServer.Config.healthy(50)
        .withFaults(0.15, 0.15, 0.05, 0.02, 0.05);
    Path out = tmp.resolve("out");
    Map<String, Long> counters;
    FakeLlmServer.Stats stats;
    try (FakeLlmServer server = FakeLlmServer.start(faults)) {
      counters = run(options("llm-faults", sent, out, server.baseUrl(), cache, TRANSPORT_ONLY));
      stats = server.stats();
    }
    System.out.println("fake server: " + stats);
    System.out.println("counters: " + counters);
    OutputReport.Report report = OutputReport.read(out);
    OutputReport.print(report, System.out);

    // Every record sent ends as examples or as a dead letter with a known reason.
    assertEquals(List.of(), report.violations());
    assertEquals(sent, report.inputsAccounted().size());
    Set<String> known = reasonNames();
    for (Failure f : report.failures()) {
      assertTrue(known.contains(f.getReason()), f.getReason());
      assertFalse(f.getMessage().isBlank());
    }
    // The fault mix really happened, and the malformed bodies became dead letters with reasons.
    assertTrue(stats.outcome("429_retry_after") > 10 && stats.outcome("429_plain") > 10
        && stats.outcome("500") + stats.outcome("503") > 0 && stats.outcome("hang") > 0,
        stats.toString());
    long malformed = stats.outcomes().entrySet().stream()
        .filter(e -> e.getKey().startsWith("malformed_")).mapToLong(Map.Entry::getValue).sum();
    Map<String, Integer> reasons = report.failuresByReason();
    int llmMalformed = Stream.of("LLM_NOT_JSON", "LLM_WRONG_SHAPE", "LLM_EMPTY_CHOICES",
        "LLM_TRUNCATED").mapToInt(r -> reasons.getOrDefault(r, 0)).sum();
    assertTrue(malformed > 0);
    assertEquals(malformed, llmMalformed, "one dead letter per malformed body: " + reasons);

    // The in-flight bound held on every worker, and in total.
    assertFalse(stats.maxInFlightByWorker().isEmpty());
    stats.maxInFlightByWorker().forEach((worker, max) ->
        assertTrue(max <= MAX_IN_FLIGHT, worker + " had " + max + " in flight"));
    assertTrue(stats.maxInFlight() <= PARALLELISM * MAX_IN_FLIGHT, stats.toString());
    assertTrue(stats.maxInFlight() >= 2, "calls overlap (asynchronous): " + stats);
    // No request came back before its Retry-After expired.
    assertEquals(0, stats.retryAfterViolations());
    // Calls are bounded: per request key, and in total.
    long qaRequests = counters.get("SynthesizeQa.requests");
    assertTrue(stats.maxRequestsPerKey() <= 1 + MAX_RETRIES, stats.toString());
    assertTrue(stats.requests() <= qaRequests * (1 + MAX_RETRIES), stats.requests() + " calls");
    long documents = counters.get("ReadDocuments.documents_decoded");
    assertTrue(stats.requests() <= documents * (1 + MAX_RETRIES), stats.requests() + " calls");
    // The metrics agree with what the server saw.
    assertEquals(stats.requests(), counters.get("SynthesizeQa.llm_calls"));
    assertEquals(stats.requests() - stats.distinctKeys(), counters.get("SynthesizeQa.llm_retries"));
    assertEquals(qaRequests, counters.get("SynthesizeQa.llm_cache_misses"));
    assertTrue(counters.get("SynthesizeQa.llm_tokens_in") > 0);
    assertTrue(counters.get("SynthesizeQa.llm_cost_micro_usd") > 0);

    // A replay calls again only for requests whose budget ran out on a transient fault (their
    // responses were never stored): with 7 calls allowed, a few of 160 may end that way.
    Set<String> transientReasons = Set.of("LLM_RATE_LIMITED", "LLM_SERVER_ERROR", "LLM_TIMEOUT",
        "LLM_CONNECTION_ERROR");
    List<Failure> transientFailures = report.failures().stream()
        .filter(f -> transientReasons.contains(f.getReason())).toList();
    Path out2 = tmp.resolve("out2");
    FakeLlmServer.Stats replayStats;
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(0))) {
      run(options("llm-faults", sent, out2, server.baseUrl(), cache, TRANSPORT_ONLY));
      replayStats = server.stats();
    }
    assertEquals(transientFailures.size(), replayStats.requests(), replayStats.toString());
    assertEquals(transientFailures.size(), replayStats.distinctKeys());
    OutputReport.Report second = OutputReport.read(out2);
    assertTrue(second.examples().containsAll(report.examples()), "cached answers, same examples");
    Set<Failure> kept = new HashSet<>(report.failures());
    transientFailures.forEach(kept::remove);
    assertEquals(kept, new HashSet<>(second.failures()));

    // Now every request has a stored answer: one more run makes zero calls, same records.
    Path out3 = tmp.resolve("out3");
    Map<String, Long> replay;
    FakeLlmServer.Stats idle;
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(0))) {
      replay = run(options("llm-faults", sent, out3, server.baseUrl(), cache, TRANSPORT_ONLY));
      idle = server.stats();
    }
    assertEquals(0, idle.requests(), "the replay called the server");
    assertEquals(0L, replay.getOrDefault("SynthesizeQa.llm_calls", 0L));
    assertEquals(qaRequests, replay.get("SynthesizeQa.llm_cache_hits"));
    OutputReport.Report third = OutputReport.read(out3);
    assertEquals(second.examples().size(), third.examples().size());
    assertEquals(new HashSet<>(second.examples()), new HashSet<>(third.examples()));
    assertEquals(new HashSet<>(second.failures()), new HashSet<>(third.failures()));
  }

  @Test
  void theApiKeyAppearsNowhere(@TempDir Path tmp) throws Exception {
    String canary = "sk-in2canary-" + "7fQ2mX9vLr3Wd8Zp";
    Path keyFile = tmp.resolve("worker-secret");
    Files.writeString(keyFile, canary + "\n");
    long sent = produce(tmp, "llm-key", 40);
    Path out = tmp.resolve("out");
    Path cache = tmp.resolve("cache");
    FakeLlmServer.Config config = FakeLlmServer.Config.healthy(5).withApiKey(canary)
        .withFaults(0.1, 0.1, 0.05, 0, 0.2);
    In2Main.Options options = options("llm-key", sent, out, "http://placeholder/v1", cache,
        "--llmApiKeyFile=" + keyFile);

    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    FakeLlmServer.Stats stats;
    try (FakeLlmServer server = FakeLlmServer.start(config)) {
      options.setLlmUrl(server.baseUrl());
      System.setOut(new PrintStream(new Tee(originalOut, logs), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new Tee(originalErr, logs), true, StandardCharsets.UTF_8));
      try {
        Map<String, Long> counters = run(options);
        System.out.println("counters: " + counters);
      } finally {
        System.setOut(originalOut);
        System.setErr(originalErr);
      }
      stats = server.stats();
    }
    // The key did reach the server: every call was authorized, and some dead letters exist.
    assertEquals(0, stats.unauthorized());
    assertTrue(stats.outcome("ok") > 20, stats.toString());
    OutputReport.Report report = OutputReport.read(out);
    assertFalse(report.failures().isEmpty());
    String captured = logs.toString(StandardCharsets.UTF_8);
    assertTrue(captured.contains("OpenAI-compatible generator"), "the logs were captured");
    assertFalse(captured.contains(canary), "the key is in the logs");

    String serializedOptions = new ObjectMapper()
        .registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()))
        .writeValueAsString(options);
    assertTrue(serializedOptions.contains("llmApiKeyFile"));
    assertFalse(serializedOptions.contains(canary), "the key is in the pipeline options");
    // What Flink shows as the job configuration (web UI, REST /jobs/<id>/config): the runner copies
    // the pipeline options into the global job parameters of the environment it builds.
    for (Map<String, String> shown : List.of(
        FlinkExecutionEnvironments.createBatchExecutionEnvironment(options).getConfig()
            .getGlobalJobParameters().toMap(),
        FlinkExecutionEnvironments.createStreamExecutionEnvironment(options, List.of(), null)
            .getConfig().getGlobalJobParameters().toMap())) {
      assertTrue(shown.toString().contains(keyFile.toString()), shown.toString());
      assertFalse(shown.toString().contains(canary), "the key is in the Flink job configuration");
    }
    for (Failure f : report.failures()) {
      assertFalse(f.toString().contains(canary), "the key is in a dead letter");
    }
    for (Path dir : List.of(out, cache)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)
              .contains(canary), "the key is in " + f);
        }
      }
    }
  }

  /** Writes to the console and to a buffer. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws java.io.IOException {
      a.write(x);
      synchronized (b) {
        b.write(x);
      }
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      synchronized (b) {
        b.write(buf, off, len);
      }
    }
  }
}
