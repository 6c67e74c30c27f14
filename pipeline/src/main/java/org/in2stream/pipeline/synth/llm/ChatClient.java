package org.in2stream.pipeline.synth.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OpenAIOkHttpClientAsync;
import com.openai.core.JsonValue;
import com.openai.core.Timeout;
import com.openai.core.http.Headers;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.synth.CallStats;
import org.in2stream.pipeline.synth.llm.LlmSettings.ResponseFormatMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one asynchronous chat-completions client every LLM user shares (generation, ablation,
 * closed-book): any server that speaks the OpenAI API (vLLM, Ollama, TGI, llama.cpp's server, OpenAI),
 * through the official {@code openai-java} client on an OkHttp transport that we size.
 *
 * <p>Per call: the response cache first (a hit makes no call; with {@code --llmCacheMode=replay} a miss
 * is the failure {@code LLM_NOT_CACHED} and no call is made); else calls, asynchronous, retried on 429,
 * 5xx, timeouts and connection errors with backoff and jitter from {@link RetryPolicy} (the SDK's own
 * retries are off, so every call is counted and the budget is ours), never before the server's {@code
 * Retry-After}. A 2xx body is written to the cache under the call's key <em>before</em> it is handed to
 * the user, which reads it. Every outcome is a {@link Reply}; the future never fails.
 *
 * <p>The number of calls in flight is bounded by the caller ({@code SynthesizeQa} holds a permit per
 * question slot, and a slot's calls run one after another); the HTTP dispatcher and connection pool
 * are sized to the same bound so that no call waits in a hidden queue while its timeout runs.
 */
public final class ChatClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChatClient.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Sent with every call so that server logs (and the fake server) can group a request's calls. */
  static final String REQUEST_KEY_HEADER = "X-Client-Request-Id";
  /** Identifies the client instance (one per DoFn instance), for per-worker accounting. */
  static final String WORKER_HEADER = "X-In2-Worker";

  /**
   * One chat call.
   *
   * @param key the cache key and {@link #REQUEST_KEY_HEADER}: a hash of everything that can change
   *     the reply
   * @param schema the JSON schema asked for with {@code response_format: json_schema}; the client
   *     falls back to {@code json_object} and then to none when the server refuses it
   * @param seed the sampling seed sent, or null for none
   */
  public record Call(String key, String model, String system, String user, Long seed,
      ResponseFormatJsonSchema schema) {}

  /** The body of a 2xx reply (already cached), or a failure; with the accounting of the calls. */
  public record Reply(byte[] body, Reason failure, String message, CallStats stats) {
    public boolean isOk() {
      return failure == null;
    }
  }

  private final LlmSettings settings;
  private final RetryPolicy retry;
  private final ResponseCache cache;
  private final ApiKey apiKey;
  private final ExecutorService httpThreads;
  private final OkHttpClient http;
  private final OpenAIClientAsync client;
  private final ScheduledExecutorService timer;
  private final AtomicReference<ResponseFormatMode> format;
  private final Map<String, JsonValue> extraBody;
  private final String workerId;

  ChatClient(LlmSettings settings, ApiKey apiKey, ResponseCache cache) {
    this.settings = settings;
    this.retry = new RetryPolicy(settings.maxRetries(), settings.retryBudgetMs(),
        settings.backoffBaseMs(), settings.backoffMaxMs(), settings.globalSeed());
    this.cache = cache;
    this.apiKey = apiKey;
    this.format = new AtomicReference<>(settings.responseFormat());
    this.extraBody = extraBody(settings);
    this.workerId = ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet();

    Duration timeout = Duration.ofMillis(settings.requestTimeoutMs());
    Duration connect = timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout
        : Duration.ofSeconds(10);
    this.httpThreads = Executors.newCachedThreadPool(daemon("in2-llm-http"));
    Dispatcher dispatcher = new Dispatcher(httpThreads);
    dispatcher.setMaxRequests(settings.maxInFlight());
    dispatcher.setMaxRequestsPerHost(settings.maxInFlight());
    this.http = new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(settings.maxInFlight(), 5, TimeUnit.MINUTES))
        .retryOnConnectionFailure(false)
        .build();
    this.client = OpenAIOkHttpClientAsync.builder()
        .okHttpClient(http)
        .baseUrl(settings.baseUrl())
        // openai-java needs a credential; servers without auth (vLLM, Ollama) ignore this one.
        .apiKey(apiKey.value().orElse("no-key"))
        .maxRetries(0)
        .responseValidation(false)
        .timeout(Timeout.builder().connect(connect).read(timeout).write(timeout).request(timeout)
            .build())
        .build();
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("in2-llm-retry"));
    LOG.info("OpenAI-compatible generator {}: model {} at {}, prompt {}, up to {} calls in flight, "
        + "cache {} ({}), API key {}", workerId, settings.model(), settings.baseUrl(),
        settings.promptVersion(), settings.maxInFlight(), cache.describe(),
        settings.cacheMode(), apiKey.value().isPresent() ? "set" : "not set");
  }

  /** Builds the client on a worker: reads the API key and opens the cache there. */
  public static ChatClient create(LlmSettings settings) {
    ApiKey key = ApiKey.load(settings.apiKeyEnv(), settings.apiKeyFile());
    try {
      return new ChatClient(settings, key, ResponseCaches.open(settings.cache()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the response cache " + settings.cache(), e);
    }
  }

  public LlmSettings settings() {
    return settings;
  }

  /** Sends one call (or answers it from the cache); the future always completes, never fails. */
  public CompletableFuture<Reply> chat(Call call) {
    Request r = new Request(call);
    if (cache.enabled()) {
      Optional<byte[]> cached;
      try {
        cached = cache.get(call.key());
      } catch (IOException | RuntimeException e) {
        r.fail(Reason.GENERATOR_ERROR, "response cache read failed (" + cache.describe() + "): "
            + e);
        return r.result;
      }
      if (cached.isPresent()) {
        r.cacheHit = true;
        r.done(cached.get(), false);
        return r.result;
      }
      r.cacheMiss = true;
    }
    if (settings.replayOnly()) {
      r.fail(Reason.LLM_NOT_CACHED, "--llmCacheMode=replay: no cached response for request "
          + call.key() + " in " + cache.describe());
      return r.result;
    }
    call(r);
    return r.result;
  }

  /** The mutable state of one call; its steps run one after another, never concurrently. */
  private final class Request {
    final Call call;
    final CompletableFuture<Reply> result = new CompletableFuture<>();
    final long startNanos = System.nanoTime();
    final List<Long> latencies = new ArrayList<>();
    int calls;
    int fallbacks;
    boolean cacheHit;
    boolean cacheMiss;
    long tokensIn;
    long tokensOut;

    Request(Call call) {
      this.call = call;
    }

    long elapsedMs() {
      return (System.nanoTime() - startNanos) / 1_000_000;
    }

    CallStats stats(boolean cacheWrite) {
      return new CallStats(calls, Math.max(0, calls - 1), cacheHit, cacheMiss, cacheWrite,
          latencies, tokensIn, tokensOut, fallbacks, costMicroUsd(settings, tokensIn, tokensOut));
    }

    void done(byte[] body, boolean cacheWrite) {
      result.complete(new Reply(body, null, null, stats(cacheWrite)));
    }

    void fail(Reason reason, String message) {
      result.complete(new Reply(null, reason, message, stats(false)));
    }
  }

  private void call(Request r) {
    ChatCompletionCreateParams params;
    try {
      params = params(r, format.get());
    } catch (RuntimeException e) {
      r.fail(Reason.GENERATOR_ERROR, "cannot build the request: " + apiKey.redact(e.toString()));
      return;
    }
    r.calls++;
    long t0 = System.nanoTime();
    CompletableFuture<HttpResponseFor<ChatCompletion>> call;
    try {
      call = client.chat().completions().withRawResponse().create(params);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    call.whenComplete((response, error) -> {
      try {
        onResponse(r, response, error, t0);
      } catch (RuntimeException | Error e) {
        // whenComplete drops what its action throws: an Error left here would never complete the
        // request and the bundle would wait for it forever.
        LOG.warn("call {} failed in its response handler", r.call.key(), e);
        r.fail(Reason.GENERATOR_ERROR, "unexpected client error: " + apiKey.redact(e.toString()));
      }
    });
  }

  private void onResponse(Request r, HttpResponseFor<ChatCompletion> response, Throwable error,
      long t0) {
    if (error == null) {
      byte[] body;
      try (response) {
        body = response.body().readAllBytes();
      } catch (IOException | RuntimeException e) {
        r.latencies.add((System.nanoTime() - t0) / 1_000_000);
        retryOrFail(r, failureOf(e), -1);
        return;
      }
      r.latencies.add((System.nanoTime() - t0) / 1_000_000);
      QaResponseReader.Usage usage = QaResponseReader.usage(body);
      r.tokensIn += usage.promptTokens();
      r.tokensOut += usage.completionTokens();
      boolean written = false;
      if (cache.enabled()) {
        try {
          cache.put(r.call.key(), body);
          written = true;
        } catch (IOException | RuntimeException e) {
          // Using a response we could not store would break the replay promise: fail instead.
          r.fail(Reason.GENERATOR_ERROR, "response cache write failed (" + cache.describe()
              + "): " + e);
          return;
        }
      }
      r.done(body, written);
      return;
    }
    r.latencies.add((System.nanoTime() - t0) / 1_000_000);
    Throwable t = unwrap(error);
    if (t instanceof OpenAIServiceException se && se.statusCode() == 400
        && mentionsResponseFormat(se) && format.get() != ResponseFormatMode.NONE) {
      ResponseFormatMode from = format.get();
      if (format.compareAndSet(from, from.weaker())) {
        LOG.warn("{} rejected response_format {}; falling back to {}", settings.baseUrl(),
            from, from.weaker());
      }
      r.fallbacks++;
      retryOrFail(r, new Failed(Reason.LLM_REQUEST_REJECTED, true, -1,
          "HTTP 400 for response_format " + from), 0);
      return;
    }
    Failed f = failureOf(t);
    retryOrFail(r, f, f.retryAfterMs);
  }

  /** Prices are USD per million tokens, which is exactly micro-USD per token. */
  static long costMicroUsd(LlmSettings s, long tokensIn, long tokensOut) {
    return Math.round(tokensIn * s.priceInputPerMTok() + tokensOut * s.priceOutputPerMTok());
  }

  /** Why a call failed, whether to try again, and what the server asked us to wait. */
  private record Failed(Reason reason, boolean retryable, long retryAfterMs, String message) {}

  private Failed failureOf(Throwable t) {
    if (t instanceof OpenAIServiceException se) {
      int status = se.statusCode();
      Headers h = se.headers();
      long retryAfter = RetryPolicy.retryAfterMs(first(h, "retry-after-ms"),
          first(h, "Retry-After"), System.currentTimeMillis());
      String msg = "HTTP " + status + (retryAfter >= 0 ? " (Retry-After " + retryAfter + " ms)" : "")
          + ": " + apiKey.redact(excerpt(se.body().toString()));
      if (status == 429) {
        return new Failed(Reason.LLM_RATE_LIMITED, true, retryAfter, msg);
      }
      if (status >= 500 || status == 408 || status == 409) {
        return new Failed(Reason.LLM_SERVER_ERROR, true, retryAfter, msg);
      }
      return new Failed(Reason.LLM_REQUEST_REJECTED, false, -1, msg);
    }
    if (t instanceof OpenAIIoException || t instanceof IOException) {
      boolean timeout = false;
      for (Throwable c = t; c != null; c = c.getCause()) {
        if (c instanceof InterruptedIOException || c instanceof SocketTimeoutException) {
          timeout = true;
        }
      }
      String msg = (timeout ? "timed out after " + settings.requestTimeoutMs() + " ms"
          : "I/O error") + ": " + apiKey.redact(causeText(t));
      return new Failed(timeout ? Reason.LLM_TIMEOUT : Reason.LLM_CONNECTION_ERROR, true, -1, msg);
    }
    return new Failed(Reason.GENERATOR_ERROR, false, -1, apiKey.redact(causeText(t)));
  }

  private void retryOrFail(Request r, Failed f, long retryAfterMs) {
    if (!f.retryable()) {
      r.fail(f.reason(), f.message());
      return;
    }
    OptionalLong delay = retry.nextDelayMs(r.call.key(), r.calls - 1, retryAfterMs,
        r.elapsedMs(), settings.requestTimeoutMs());
    if (delay.isEmpty()) {
      String why = r.calls - 1 >= settings.maxRetries()
          ? "gave up after " + r.calls + " calls (--llmMaxRetries=" + settings.maxRetries() + ")"
          : "gave up after " + r.calls + " calls: the next one would not fit in the "
              + settings.retryBudgetMs() + " ms budget";
      r.fail(f.reason(), why + "; last: " + f.message());
      return;
    }
    LOG.debug("request {} call {} failed ({}); retrying in {} ms", r.call.key(),
        r.calls, f.reason(), delay.getAsLong());
    try {
      timer.schedule(() -> call(r), delay.getAsLong(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      r.fail(f.reason(), "cannot schedule a retry (client closing); last: " + f.message());
    }
  }

  @SuppressWarnings("deprecation") // max_tokens and seed: what vLLM, Ollama, TGI and llama.cpp read
  private ChatCompletionCreateParams params(Request r, ResponseFormatMode mode) {
    ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder()
        .model(r.call.model())
        .addSystemMessage(r.call.system())
        .addUserMessage(r.call.user())
        .temperature(settings.temperature())
        .maxTokens((long) settings.maxTokens())
        .putAdditionalHeader(REQUEST_KEY_HEADER, r.call.key())
        .putAdditionalHeader(WORKER_HEADER, workerId);
    if (r.call.seed() != null) {
      b.seed(r.call.seed());
    }
    if (mode == ResponseFormatMode.JSON_SCHEMA && r.call.schema() != null) {
      b.responseFormat(r.call.schema());
    } else if (mode != ResponseFormatMode.NONE) {
      b.responseFormat(ResponseFormatJsonObject.builder().build());
    }
    extraBody.forEach(b::putAdditionalBodyProperty);
    return b.build();
  }

  /** A strict JSON schema of an object with the given properties, all required. */
  static ResponseFormatJsonSchema schema(String name, Map<String, Object> properties) {
    ResponseFormatJsonSchema.JsonSchema.Schema schema =
        ResponseFormatJsonSchema.JsonSchema.Schema.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(properties))
            .putAdditionalProperty("required", JsonValue.from(List.copyOf(properties.keySet())))
            .putAdditionalProperty("additionalProperties", JsonValue.from(false))
            .build();
    return ResponseFormatJsonSchema.builder()
        .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
            .name(name)
            .strict(true)
            .schema(schema)
            .build())
        .build();
  }

  private static Map<String, JsonValue> extraBody(LlmSettings settings) {
    Map<String, JsonValue> out = new java.util.LinkedHashMap<>();
    try {
      JsonNode node = JSON.readTree(settings.canonicalExtraBody());
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), JsonValue.fromJsonNode(e.getValue()));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("--llmExtraBody is not a JSON object", e);
    }
    return out;
  }

  private static boolean mentionsResponseFormat(OpenAIServiceException e) {
    String body = e.body().toString().toLowerCase(Locale.ROOT);
    return body.contains("response_format") || body.contains("json_schema")
        || body.contains("json_object") || body.contains("response format");
  }

  private static String first(Headers headers, String name) {
    List<String> values = headers.values(name);
    return values.isEmpty() ? null : values.get(0);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String causeText(Throwable t) {
    StringBuilder s = new StringBuilder(t.getClass().getSimpleName());
    if (t.getMessage() != null) {
      s.append(": ").append(t.getMessage());
    }
    if (t.getCause() != null && t.getCause() != t) {
      s.append(" (").append(t.getCause().getClass().getSimpleName());
      if (t.getCause().getMessage() != null) {
        s.append(": ").append(t.getCause().getMessage());
      }
      s.append(')');
    }
    return s.toString();
  }

  private static String excerpt(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    timer.shutdownNow();
    client.close();
    http.dispatcher().cancelAll();
    httpThreads.shutdownNow();
    http.connectionPool().evictAll();
    try {
      cache.close();
    } catch (IOException e) {
      LOG.warn("closing the response cache {} failed: {}", cache.describe(), e.toString());
    }
  }
}
