package org.in2stream.pipeline.synth.llm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.in2stream.pipeline.synth.Asker;
import org.in2stream.pipeline.synth.QaGenerator;
import org.in2stream.pipeline.synth.QaRequest;
import org.in2stream.pipeline.synth.QaResult;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Kind;
import com.openai.models.ResponseFormatJsonSchema;

/**
 * QA pairs from an OpenAI-compatible server: builds the generation prompt ({@link PromptTemplate}),
 * sends it through the shared {@link ChatClient} (transport, retries, cache, accounting) and reads the
 * reply with {@link QaResponseReader}. Its {@link #asker()} asks the verification questions through
 * the same client.
 */
public final class OpenAiQaGenerator implements QaGenerator {
  private final LlmSettings settings;
  private final PromptTemplate templates;
  private final ChatClient client;
  private final LlmVerifier verifier;

  OpenAiQaGenerator(LlmSettings settings, ChatClient client) {
    this.settings = settings;
    this.templates = PromptTemplate.load(settings.promptVersion());
    this.client = client;
    this.verifier = new LlmVerifier(client);
  }

  /** Builds the generator on a worker: reads the API key and opens the cache there. */
  public static QaGenerator create(LlmSettings settings) {
    return new OpenAiQaGenerator(settings, ChatClient.create(settings));
  }

  /** Serializable factory for workers; carries the settings, never the key. */
  public static QaGenerator.Factory factory(LlmSettings settings) {
    return () -> create(settings);
  }

  @Override
  public String model() {
    return settings.model();
  }

  @Override
  public String promptVersion() {
    return templates.version();
  }

  @Override
  public String generationParams() {
    return settings.generationParams();
  }

  @Override
  public CompletableFuture<QaResult> generate(QaRequest request) {
    return generate(request, 0);
  }

  @Override
  public CompletableFuture<QaResult> generate(QaRequest request, int attempt) {
    PromptTemplate.Prompt prompt = templates.render(request);
    String key = attemptKey(request.requestKey(), attempt);
    ChatClient.Call call = new ChatClient.Call(key, settings.model(), prompt.system(),
        prompt.user(), attemptSeed(settings.seed(), attempt), schemaFormat(request.kind(),
        templates.version()));
    return client.chat(call).thenApply(reply -> {
      QaResult r = reply.isOk() ? QaResponseReader.read(reply.body(), request, prompt)
          : QaResult.failed(reply.failure(), reply.message());
      return r.withStats(reply.stats()).withResponseKey(key);
    });
  }

  /** Attempt 0 keeps the request key; attempt n has its own key (and so its own cache entry). */
  public static String attemptKey(String requestKey, int attempt) {
    return attempt == 0 ? requestKey
        : Hashing.sha256Hex(requestKey, "attempt", Integer.toString(attempt));
  }

  /** The sampling seed of attempt n: the configured seed (or 0) plus n; attempt 0 as configured. */
  static Long attemptSeed(Long seed, int attempt) {
    if (attempt == 0) {
      return seed;
    }
    return (seed == null ? 0L : seed) + attempt;
  }

  @Override
  public Asker asker() {
    return verifier;
  }

  /**
   * The JSON schema of the reply: question, answer and evidence quotes per piece (in2-qa-v2), or
   * question, answer and the needed pieces (in2-qa-v1).
   */
  static ResponseFormatJsonSchema schemaFormat(Kind kind, String promptVersion) {
    boolean multi = kind == Kind.MULTI_SEGMENT;
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("question", Map.of("type", "string"));
    properties.put("answer", Map.of("type", "string"));
    if (!promptVersion.equals("in2-qa-v1")) {
      Map<String, Object> quote = new LinkedHashMap<>();
      quote.put("type", "object");
      quote.put("properties", Map.of("piece", Map.of("type", "integer"),
          "quote", Map.of("type", "string")));
      quote.put("required", List.of("piece", "quote"));
      quote.put("additionalProperties", false);
      properties.put("evidence", Map.of("type", "array", "items", quote,
          "minItems", multi ? 2 : 1));
    } else if (multi) {
      properties.put("pieces", Map.of("type", "array", "items", Map.of("type", "integer"),
          "minItems", 2));
    }
    return ChatClient.schema(multi ? "in2_multi_segment_qa" : "in2_fine_grained_qa", properties);
  }

  @Override
  public void close() {
    client.close();
  }
}
