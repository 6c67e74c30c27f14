package org.in2stream.runners.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.in2stream.pipeline.Coders;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.synth.QaGenerator;
import org.in2stream.pipeline.synth.QaRequest;
import org.in2stream.pipeline.synth.QaResult;
import org.in2stream.pipeline.synth.SynthesizeQa;
import org.in2stream.pipeline.synth.llm.FakeLlmServer;
import org.in2stream.pipeline.synth.llm.LlmSettings;
import org.in2stream.pipeline.synth.llm.LlmTestSupport;
import org.in2stream.pipeline.synth.llm.OpenAiQaGenerator;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Segment;

/**
 * The saturation benchmark (a program, not a test: it prints figures and asserts nothing). The fake
 * server answers at a fixed latency L with at most C requests at once, so no client can do better than
 * C/L requests per second. It measures, on the Flink runner (MiniCluster, parallelism 1), the
 * requests per second that {@code SynthesizeQa} with the OpenAI-compatible generator reaches, and
 * the same for a plain synchronous DoFn (one blocking call per element, the same client), both as a
 * share of C/L. Run it with {@code scripts/bench-llm.sh}.
 */
public final class LlmSaturationBenchmark {
  private LlmSaturationBenchmark() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : argv) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    long latencyMs = Long.parseLong(a.getOrDefault("latencyMs", "200"));
    int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "32"));
    int docs = Integer.parseInt(a.getOrDefault("docs", "2000"));
    int syncDocs = Integer.parseInt(a.getOrDefault("syncDocs", "50"));
    int maxInFlight = Integer.parseInt(a.getOrDefault("maxInFlight",
        Integer.toString(2 * concurrency)));
    double ceiling = concurrency * 1000.0 / latencyMs;

    System.out.printf(Locale.ROOT, "Fake server: latency L = %d ms, concurrency cap C = %d, so "
        + "C/L = %.1f requests/s at most%n", latencyMs, concurrency, ceiling);
    Result async = measure("SynthesizeQa (async, maxInFlight=" + maxInFlight + ")", latencyMs,
        concurrency, docs, maxInFlight, false);
    Result sync = measure("plain synchronous DoFn", latencyMs, concurrency, syncDocs, maxInFlight,
        true);
    System.out.println();
    System.out.println("| transform | documents | requests | seconds | requests/s | ÷ (C/L) |"
        + " max in flight at server |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Result r : List.of(async, sync)) {
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %.2f | %.1f | %.3f | %d |%n", r.name(),
          r.docs(), r.stats().requests(), r.stats().activeSeconds(), r.rate(),
          r.rate() / ceiling, r.stats().maxInFlight());
    }
    System.out.printf(Locale.ROOT, "Speed-up of the async transform over the synchronous DoFn: "
        + "%.1fx%n", async.rate() / sync.rate());
  }

  record Result(String name, int docs, FakeLlmServer.Stats stats) {
    double rate() {
      return stats.requests() / stats.activeSeconds();
    }
  }

  private static Result measure(String name, long latencyMs, int concurrency, int docs,
      int maxInFlight, boolean sync) throws Exception {
    List<List<Segment>> input = new ArrayList<>();
    for (int i = 0; i < docs; i++) {
      String docId = "bench-" + (sync ? "s" : "a") + "-" + i;
      input.add(TestTexts.segments(docId, TestTexts.document(90_000 + i, 3), i));
    }
    try (FakeLlmServer server = FakeLlmServer.start(
        FakeLlmServer.Config.healthy(latencyMs).withConcurrency(concurrency))) {
      LlmSettings settings = LlmTestSupport.settings(server.baseUrl(), "none", maxInFlight,
          30_000, 3, null);
      QaGenerator.Factory factory = OpenAiQaGenerator.factory(settings);
      FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs("--runner="
          + FlinkRunner.class.getSimpleName(), "--flinkMaster=[local]", "--parallelism=1")
          .as(FlinkPipelineOptions.class);
      Pipeline p = Pipeline.create(options);
      Coders.register(p);
      PCollection<List<Segment>> docsIn = p.apply("Documents", Create.of(input)
          .withCoder(ListCoder.of(AvroCoder.of(Segment.class))));
      if (sync) {
        docsIn.apply("SyncCalls", ParDo.of(new SyncCallFn(factory)));
      } else {
        docsIn.apply("SynthesizeQa", new SynthesizeQa(factory, 42, 1, 0.0, maxInFlight));
      }
      PipelineResult.State state = p.run().waitUntilFinish();
      FakeLlmServer.Stats stats = server.stats();
      System.out.printf(Locale.ROOT, "%s: %s, %d requests (%s) in %.2f s%n", name, state,
          stats.requests(), stats.outcomes(), stats.activeSeconds());
      return new Result(name, docs, stats);
    }
  }

  /** The naive way: one blocking call per element, nothing else in flight. */
  static final class SyncCallFn extends DoFn<List<Segment>, String> {
    private final QaGenerator.Factory factory;
    private transient QaGenerator generator;

    SyncCallFn(QaGenerator.Factory factory) {
      this.factory = factory;
    }

    @Setup
    public void setup() {
      generator = factory.create();
    }

    @ProcessElement
    public void process(@Element List<Segment> segments, OutputReceiver<String> out) {
      QaRequest request = QaRequest.of(generator.model(), generator.promptVersion(),
          generator.generationParams(), Kind.FINE_GRAINED, segments.get(0).getDocId(),
          List.of(segments.get(0)));
      QaResult result = generator.generate(request).join();
      out.output(result.isOk() ? "ok" : result.failureReason().name());
    }

    @Teardown
    public void teardown() {
      if (generator != null) {
        generator.close();
      }
    }
  }
}
