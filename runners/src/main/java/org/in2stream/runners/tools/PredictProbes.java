package org.in2stream.runners.tools;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.in2stream.pipeline.config.In2Options;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.synth.CallStats;
import org.in2stream.pipeline.synth.llm.ChatClient;
import org.in2stream.pipeline.synth.llm.LlmSettings;
import org.in2stream.pipeline.synth.llm.ProbeAnswerer;
import org.in2stream.schema.Probe;

/**
 * Sends evaluation probes to any OpenAI-compatible server and writes its answers as JSON lines
 * ({@code {"id", "prediction", "failure"}}, sorted by id) for {@link ScoreProbes}. It takes the job's
 * own LLM options ({@code --llmUrl}, {@code --llmModel}, {@code --llmCache}, {@code --maxInFlight},
 * {@code --llmApiKeyEnv}, retries, ...; see docs/options.md) and calls through the same {@link
 * ChatClient}: response cache first, retries with backoff, at most {@code --maxInFlight} calls in
 * flight. A probe whose call fails gets {@code "prediction": null} and the failure's reason code.
 *
 * <pre>scripts/predict.sh --probes=DIR --predictions=FILE.jsonl --llmUrl=URL --llmModel=NAME
 *     [--llmCache=file:DIR] [--maxInFlight=16] [--any-llm-option=value]</pre>
 */
public final class PredictProbes {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private PredictProbes() {}

  /** What a run did. */
  public record Summary(int probes, int answered, Map<String, Integer> failures, int calls,
      int cacheHits) {}

  public static void main(String[] argv) throws Exception {
    String probes = null;
    String predictions = null;
    List<String> llm = new ArrayList<>();
    for (String a : argv) {
      if (a.startsWith("--probes=")) {
        probes = a.substring("--probes=".length());
      } else if (a.startsWith("--predictions=")) {
        predictions = a.substring("--predictions=".length());
      } else {
        llm.add(a);
      }
    }
    if (probes == null || predictions == null) {
      System.err.println("predict: usage: --probes=DIR --predictions=FILE.jsonl --llmUrl=URL "
          + "--llmModel=NAME [--llmCache=file:DIR] [--maxInFlight=N] [other --llm* options]");
      System.exit(2);
      return;
    }
    Summary s = run(Path.of(probes), Path.of(predictions), settings(llm.toArray(String[]::new)));
    System.out.printf("Predictions: %d of %d probes answered -> %s; %d calls, %d cache hits, "
        + "failures %s%n", s.answered(), s.probes(), predictions, s.calls(), s.cacheHits(),
        s.failures());
    System.exit(s.answered() == 0 && s.probes() > 0 ? 1 : 0);
  }

  /** The LLM settings of the job's options ({@code --llmUrl}, {@code --llmModel}, ...). */
  public static LlmSettings settings(String... args) {
    In2Options o = PipelineOptionsFactory.fromArgs(args).as(In2Options.class);
    if (o.getLlmUrl() == null || o.getLlmUrl().isBlank() || o.getLlmModel() == null
        || o.getLlmModel().isBlank()) {
      throw new IllegalArgumentException("--llmUrl and --llmModel are required");
    }
    return PipelineConfig.llmSettings(o);
  }

  /** Asks every probe of {@code probes}, writes {@code predictions}. */
  public static Summary run(Path probes, Path predictions, LlmSettings settings)
      throws IOException, InterruptedException {
    List<Probe> all = BuildProbes.read(probes);
    Map<String, ProbeAnswerer.Answer> answers = new TreeMap<>();
    Semaphore inFlight = new Semaphore(settings.maxInFlight());
    try (ChatClient client = ChatClient.create(settings)) {
      ProbeAnswerer answerer = new ProbeAnswerer(client);
      List<CompletableFuture<Void>> pending = new ArrayList<>();
      for (Probe p : all) {
        inFlight.acquire();
        pending.add(answerer.answer(p.getId(), p.getQuestion(), p.getContext())
            .thenAccept(a -> {
              synchronized (answers) {
                answers.put(p.getId(), a);
              }
            })
            .whenComplete((v, e) -> inFlight.release()));
      }
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    }
    Map<String, Integer> failures = new TreeMap<>();
    int answered = 0;
    CallStats stats = CallStats.NONE;
    if (predictions.getParent() != null) {
      Files.createDirectories(predictions.getParent());
    }
    try (OutputStream out = Files.newOutputStream(predictions);
        JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
      for (Map.Entry<String, ProbeAnswerer.Answer> e : answers.entrySet()) {
        ProbeAnswerer.Answer a = e.getValue();
        stats = stats.plus(a.stats());
        g.writeStartObject();
        g.writeStringField("id", e.getKey());
        g.writeStringField("prediction", a.text());
        g.writeStringField("failure", a.failure() == null ? null
            : a.failure().name() + ": " + a.message());
        g.writeEndObject();
        if (a.text() != null) {
          answered++;
        } else {
          failures.merge(a.failure().name(), 1, Integer::sum);
        }
      }
      g.writeRaw('\n');
    }
    return new Summary(all.size(), answered, failures, stats.calls(),
        countHits(answers.values()));
  }

  private static int countHits(Iterable<ProbeAnswerer.Answer> answers) {
    int hits = 0;
    for (ProbeAnswerer.Answer a : answers) {
      hits += a.stats() != null && a.stats().cacheHit() ? 1 : 0;
    }
    return hits;
  }
}
