package org.in2stream.pipeline.synth.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything the OpenAI-compatible generator needs on a worker, checked once. It carries no secret:
 * the API key is read on the worker from {@link #apiKeyEnv} or {@link #apiKeyFile} (see {@link
 * ApiKey}), so this object can be serialized into the job graph and shown in the Flink UI.
 *
 * @param baseUrl e.g. {@code http://localhost:8000/v1} (vLLM), {@code http://localhost:11434/v1}
 *     (Ollama), {@code https://api.openai.com/v1}
 * @param seed the request's {@code seed} field, or null to send none
 * @param extraBody a JSON object merged into every request body (e.g. {@code {"top_p":0.9}})
 * @param maxRetries retries after the first call (so at most {@code 1 + maxRetries} calls per request)
 * @param retryBudgetMs wall time one request may take, all attempts and waits included; keep it well
 *     below the checkpoint timeout, because a checkpoint waits for the bundle's calls
 * @param cache {@code none}, {@code file:DIR} or {@code redis://host:port[/db]}
 * @param priceInputPerMTok USD per million prompt tokens (for the cost metric; 0 = not priced)
 * @param globalSeed the pipeline's seed, which keys the backoff jitter
 * @param cacheMode {@code readwrite} (default: a miss calls the server and stores the reply) or
 *     {@code replay} (a strict rebuild: no call at all, a miss is the dead letter LLM_NOT_CACHED)
 * @param verifierModel the model the verification calls (ablation, closed-book) ask; null or blank
 *     = {@link #model}
 * @param contextTokens the served model's context window in tokens ({@code --llmContextTokens}); a
 *     request's source text is kept within it, less {@link #maxTokens} and the prompt's own text
 */
public record LlmSettings(
    String baseUrl,
    String model,
    String apiKeyEnv,
    String apiKeyFile,
    double temperature,
    int maxTokens,
    Long seed,
    String extraBody,
    long requestTimeoutMs,
    int maxRetries,
    long retryBudgetMs,
    long backoffBaseMs,
    long backoffMaxMs,
    ResponseFormatMode responseFormat,
    String promptVersion,
    String cache,
    double priceInputPerMTok,
    double priceOutputPerMTok,
    int maxInFlight,
    long globalSeed,
    String cacheMode,
    String verifierModel,
    int contextTokens)
    implements Serializable {

  /**
   * Largest retry budget we accept. A checkpoint barrier can wait for one {@code processElement}
   * blocked on a permit (freed within one budget) and then for the bundle's pending calls (each done
   * within one budget): two budgets, which must stay well below Flink's default checkpoint timeout of
   * 10 minutes.
   */
  public static final long MAX_RETRY_BUDGET_MS = 4 * 60_000L;

  /** How the reply format is requested; the generator falls back on its own when refused. */
  public enum ResponseFormatMode {
    /** {@code response_format: {type: json_schema}} (OpenAI, vLLM, llama.cpp, recent Ollama). */
    JSON_SCHEMA,
    /** {@code response_format: {type: json_object}}. */
    JSON_OBJECT,
    /** No response_format: the prompt alone asks for JSON, and the reply is searched for it. */
    NONE;

    public static ResponseFormatMode parse(String value) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException("unknown --llmResponseFormat=" + value
            + "; use json_schema, json_object or none");
      }
    }

    ResponseFormatMode weaker() {
      return this == JSON_SCHEMA ? JSON_OBJECT : NONE;
    }
  }

  public LlmSettings {
    List<String> errors = new ArrayList<>();
    if (baseUrl == null || baseUrl.isBlank()) {
      errors.add("--llmUrl is required with --generator=openai (e.g. http://localhost:8000/v1)");
    } else {
      try {
        URI uri = URI.create(baseUrl);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
          errors.add("--llmUrl must be an http or https URL (got " + baseUrl + ")");
        }
      } catch (IllegalArgumentException e) {
        errors.add("--llmUrl is not a URL: " + baseUrl);
      }
    }
    if (model == null || model.isBlank()) {
      errors.add("--llmModel is required with --generator=openai (the served model's name)");
    }
    if (apiKeyEnv == null || apiKeyEnv.isBlank()) {
      errors.add("--llmApiKeyEnv must name an environment variable (default OPENAI_API_KEY)");
    }
    if (!(temperature >= 0 && temperature <= 2)) {
      errors.add("--llmTemperature must be in [0, 2] (got " + temperature + ")");
    }
    if (maxTokens < 16) {
      errors.add("--llmMaxTokens must be >= 16 (got " + maxTokens + ")");
    }
    if (extraBody != null && !extraBody.isBlank()) {
      try {
        JsonNode node = new ObjectMapper().readTree(extraBody);
        if (node == null || !node.isObject()) {
          errors.add("--llmExtraBody must be a JSON object (got " + extraBody + ")");
        }
      } catch (java.io.IOException e) {
        errors.add("--llmExtraBody is not valid JSON: " + extraBody);
      }
    }
    if (requestTimeoutMs < 100) {
      errors.add("--llmRequestTimeoutMs must be >= 100 (got " + requestTimeoutMs + ")");
    }
    if (maxRetries < 0 || maxRetries > 20) {
      errors.add("--llmMaxRetries must be in [0, 20] (got " + maxRetries + ")");
    }
    if (retryBudgetMs < requestTimeoutMs) {
      errors.add("--llmRetryBudgetMs (" + retryBudgetMs + ") must be >= --llmRequestTimeoutMs ("
          + requestTimeoutMs + ")");
    }
    if (retryBudgetMs > MAX_RETRY_BUDGET_MS) {
      errors.add("--llmRetryBudgetMs must be <= " + MAX_RETRY_BUDGET_MS + " (a checkpoint may wait "
          + "two budgets, and Flink's default checkpoint timeout is 600000; got " + retryBudgetMs
          + ")");
    }
    if (backoffBaseMs < 1 || backoffMaxMs < backoffBaseMs) {
      errors.add("need 1 <= --llmBackoffBaseMs <= --llmBackoffMaxMs (got " + backoffBaseMs + " and "
          + backoffMaxMs + ")");
    }
    if (responseFormat == null) {
      errors.add("--llmResponseFormat is required");
    }
    if (!PromptTemplate.exists(promptVersion)) {
      errors.add("--llmPromptVersion=" + promptVersion + " has no templates; known: "
          + PromptTemplate.VERSIONS);
    }
    try {
      ResponseCaches.check(cache);
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    if (priceInputPerMTok < 0 || priceOutputPerMTok < 0) {
      errors.add("--llmPriceInputPerMTok and --llmPriceOutputPerMTok must be >= 0");
    }
    if (maxInFlight < 1) {
      errors.add("--maxInFlight must be >= 1 (got " + maxInFlight + ")");
    }
    if (contextTokens < maxTokens + PROMPT_OVERHEAD_TOKENS + 64) {
      errors.add("--llmContextTokens (" + contextTokens + ") must leave room for --llmMaxTokens ("
          + maxTokens + ") and the prompt's " + PROMPT_OVERHEAD_TOKENS + " tokens of instructions");
    }
    if (!"readwrite".equals(cacheMode) && !"replay".equals(cacheMode)) {
      errors.add("--llmCacheMode must be readwrite or replay (got " + cacheMode + ")");
    } else if ("replay".equals(cacheMode) && (cache == null || cache.isBlank()
        || cache.equals("none"))) {
      errors.add("--llmCacheMode=replay rebuilds from the response cache: set --llmCache");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid LLM configuration:\n  - "
          + String.join("\n  - ", errors));
    }
  }

  /** Tokens a generation prompt holds besides the source text (instructions, fences), rounded up. */
  public static final int PROMPT_OVERHEAD_TOKENS = 1024;

  /** The most source tokens one request may send: the model's context less the reply and prompt. */
  public int maxSourceTokens() {
    return contextTokens - maxTokens - PROMPT_OVERHEAD_TOKENS;
  }

  /** True with {@code --llmCacheMode=replay}: the client never calls the server. */
  public boolean replayOnly() {
    return "replay".equals(cacheMode);
  }

  /** The model the verification calls ask. */
  public String verifierModelOrDefault() {
    return verifierModel == null || verifierModel.isBlank() ? model : verifierModel;
  }

  /** The parameters that change the model's output; they become part of every request key. */
  public String generationParams() {
    return "temperature=" + temperature + ";max_tokens=" + maxTokens + ";seed=" + seed
        + ";format=" + responseFormat.name().toLowerCase(Locale.ROOT) + ";extra="
        + canonicalExtraBody();
  }

  /** The extra body as compact JSON ("{}" when none). */
  public String canonicalExtraBody() {
    if (extraBody == null || extraBody.isBlank()) {
      return "{}";
    }
    try {
      ObjectMapper mapper = new ObjectMapper();
      return mapper.writeValueAsString(mapper.readTree(extraBody));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
