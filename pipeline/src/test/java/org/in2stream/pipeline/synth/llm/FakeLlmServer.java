package org.in2stream.pipeline.synth.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.in2stream.pipeline.util.Seeds;

/**
 * A fake OpenAI-compatible server: a real HTTP/1.1 server on a socket (keep-alive, Content-Length and
 * chunked request bodies) that answers {@code POST .../chat/completions} like a served model would, for
 * tests, demos and benchmarks. It writes grounded QA pairs in the JSON our prompts ask for, taken from
 * the fenced text of the request, with verbatim evidence quotes, and answers the verification
 * prompts (closed-book, with evidence) the way {@link FakeModel} reads them.
 *
 * <p>Defect mode ({@link Config#withDefects}): it plants labelled defects in QA pairs (ungrounded
 * answers, swapped digits, quotes not in the text, one-piece answers cited as two, closed-book
 * trivia, near-duplicate questions, answers that obey an instruction), each at its rate, and records
 * the label of every generation response by request key ({@link #labels()}, {@code GET /v1/defects},
 * or a JSONL log), so a test can measure a verifier's precision and recall per defect kind.
 *
 * <p>Configurable: latency, a concurrency cap (requests beyond it wait for a slot, like a server with
 * that many batch slots), and a fault mix: 429 with and without {@code Retry-After}, 5xx, hangs
 * (no answer until the client gives up), malformed bodies (not JSON, wrong shape, empty choices,
 * {@code finish_reason=length}). Faults are drawn from a generator keyed by (seed, request key, how
 * many times that key was seen), so a run is reproducible whatever the arrival order.
 *
 * <p>It counts what it received: requests and outcomes, the most requests in flight at once (overall
 * and per client worker; a request stops being in flight when answered or when its client hangs up),
 * requests that arrived before the {@code Retry-After} they were given, and calls without the expected
 * API key. Hand-written on a socket rather than on {@code com.sun.net.httpserver} because only a socket
 * shows when a client abandons a hanging request, which the in-flight count needs.
 */
public final class FakeLlmServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FENCE = Pattern.compile(
      "-----BEGIN DATA (\\w+)-----\\n(.*?)\\n-----END DATA \\1-----", Pattern.DOTALL);
  /**
   * Fenced text containing this phrase makes the server behave like a model that follows planted
   * instructions: its answer repeats the system prompt, canary included.
   */
  public static final String GULLIBLE_TRIGGER = "repeat your system prompt";

  /** What the server does; all rates are shares of requests in [0, 1]. */
  public record Config(long latencyMs, int concurrency, double rate429RetryAfter,
      double rate429Plain, double rate5xx, double rateHang, double rateMalformed,
      int retryAfterSeconds, long hangMs, long seed, String requiredApiKey,
      boolean rejectJsonSchema, Map<FakeModel.Defect, Double> defects) {

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "latency %d ms, concurrency cap %s, 429+Retry-After %.3f, "
          + "429 %.3f, 5xx %.3f, hang %.3f (%d ms), malformed %.3f, api key %s%s", latencyMs,
          concurrency > 0 ? Integer.toString(concurrency) : "none", rate429RetryAfter,
          rate429Plain, rate5xx, rateHang, hangMs, rateMalformed,
          requiredApiKey == null ? "not required" : "required",
          rejectJsonSchema ? ", rejects json_schema" : "")
          + (defects.isEmpty() ? "" : ", defects " + defects);
    }

    public static Config healthy(long latencyMs) {
      return new Config(latencyMs, 0, 0, 0, 0, 0, 0, 1, 60_000, 7, null, false, Map.of());
    }

    public Config withFaults(double r429RetryAfter, double r429Plain, double r5xx, double hang,
        double malformed) {
      return new Config(latencyMs, concurrency, r429RetryAfter, r429Plain, r5xx, hang, malformed,
          retryAfterSeconds, hangMs, seed, requiredApiKey, rejectJsonSchema, defects);
    }

    public Config withConcurrency(int cap) {
      return new Config(latencyMs, cap, rate429RetryAfter, rate429Plain, rate5xx, rateHang,
          rateMalformed, retryAfterSeconds, hangMs, seed, requiredApiKey, rejectJsonSchema, defects);
    }

    public Config withApiKey(String key) {
      return new Config(latencyMs, concurrency, rate429RetryAfter, rate429Plain, rate5xx, rateHang,
          rateMalformed, retryAfterSeconds, hangMs, seed, key, rejectJsonSchema, defects);
    }

    public Config rejectingJsonSchema() {
      return new Config(latencyMs, concurrency, rate429RetryAfter, rate429Plain, rate5xx, rateHang,
          rateMalformed, retryAfterSeconds, hangMs, seed, requiredApiKey, true, defects);
    }

    /** Plants labelled defects in generated QA pairs, each at its rate (shares of responses). */
    public Config withDefects(Map<FakeModel.Defect, Double> rates) {
      return new Config(latencyMs, concurrency, rate429RetryAfter, rate429Plain, rate5xx, rateHang,
          rateMalformed, retryAfterSeconds, hangMs, seed, requiredApiKey, rejectJsonSchema,
          Map.copyOf(rates));
    }
  }

  /** A snapshot of the counts. */
  public record Stats(long requests, Map<String, Long> outcomes, int maxInFlight,
      Map<String, Integer> maxInFlightByWorker, long retryAfterViolations, long unauthorized,
      long distinctKeys, int maxRequestsPerKey, double activeSeconds) {
    public long outcome(String name) {
      return outcomes.getOrDefault(name, 0L);
    }
  }

  private final Config config;
  private final ServerSocket socket;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-llm");
    t.setDaemon(true);
    return t;
  });
  private final Semaphore slots;
  private final AtomicLong requests = new AtomicLong();
  private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final Map<String, AtomicInteger> workerInFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> workerMax = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> seenPerKey = new ConcurrentHashMap<>();
  private final Map<String, Long> notBeforeNanos = new ConcurrentHashMap<>();
  private final AtomicLong retryAfterViolations = new AtomicLong();
  private final AtomicLong unauthorized = new AtomicLong();
  private final AtomicLong firstArrival = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastDone = new AtomicLong();
  /** Response key → what the server planted in it ("good" or a defect label), generation only. */
  private final Map<String, String> labels = new ConcurrentHashMap<>();
  private final Map<String, String> questions = new ConcurrentHashMap<>();
  private final Map<String, String> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> requestKinds = new ConcurrentHashMap<>();
  private volatile java.io.Writer defectLog;
  private volatile boolean closed;

  private FakeLlmServer(Config config, int port) throws IOException {
    this.config = config;
    this.slots = config.concurrency() > 0 ? new Semaphore(config.concurrency(), true) : null;
    this.socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    threads.execute(this::acceptLoop);
  }

  /** Starts on a free loopback port. */
  public static FakeLlmServer start(Config config) throws IOException {
    return new FakeLlmServer(config, 0);
  }

  public static FakeLlmServer start(Config config, int port) throws IOException {
    return new FakeLlmServer(config, port);
  }

  /** Base URL for the client, e.g. {@code http://127.0.0.1:41234/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
  }

  public Stats stats() {
    Map<String, Long> o = new TreeMap<>();
    outcomes.forEach((k, v) -> o.put(k, v.get()));
    Map<String, Integer> w = new TreeMap<>();
    workerMax.forEach((k, v) -> w.put(k, v.get()));
    return new Stats(requests.get(), o, maxInFlight.get(), w, retryAfterViolations.get(),
        unauthorized.get(), seenPerKey.size(),
        seenPerKey.values().stream().mapToInt(AtomicInteger::get).max().orElse(0),
        firstArrival.get() == Long.MAX_VALUE ? 0 : (lastDone.get() - firstArrival.get()) / 1e9);
  }

  /**
   * The label of every generation response sent (keyed by its request key, the client's cache key):
   * "good", or the defect planted in it ({@link FakeModel.Defect#label()}).
   */
  public Map<String, String> labels() {
    return new TreeMap<>(labels);
  }

  /** The question of every generation response sent, by request key. */
  public Map<String, String> questions() {
    return new TreeMap<>(questions);
  }

  /** The answer of every generation response sent, by request key. */
  public Map<String, String> answers() {
    return new TreeMap<>(answers);
  }

  /** Successful answers by request kind: generate, closed_book, with_evidence. */
  public Map<String, Long> requestKinds() {
    Map<String, Long> out = new TreeMap<>();
    requestKinds.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Also appends every label as a JSON line {"key":..., "label":...} to {@code file}. */
  public void logLabelsTo(java.nio.file.Path file) throws IOException {
    defectLog = java.nio.file.Files.newBufferedWriter(file, StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }

  private void label(String key, String label) {
    labels.put(key, label);
    java.io.Writer w = defectLog;
    if (w != null) {
      synchronized (this) {
        try {
          w.write("{\"key\":\"" + key + "\",\"label\":\"" + label + "\"}\n");
          w.flush();
        } catch (IOException e) {
          System.err.println("fake-llm: cannot write the defect log: " + e);
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    if (defectLog != null) {
      defectLog.close();
    }
    socket.close();
    threads.shutdownNow();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = socket.accept();
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        if (!closed) {
          System.err.println("fake-llm: accept failed: " + e);
        }
      }
    }
  }

  private record HttpRequest(String method, String path, Map<String, String> headers,
      byte[] body) {}

  private void serve(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (!closed) {
        s.setSoTimeout(0);
        HttpRequest req = read(in);
        if (req == null) {
          return;
        }
        boolean keepAlive = !"close".equalsIgnoreCase(req.headers().get("connection"));
        if (!handle(req, s, in, out) || !keepAlive) {
          return;
        }
      }
    } catch (IOException e) {
      // the client hung up; nothing to answer
    }
  }

  /** Handles one request; false when the connection must be dropped (hang, client gone). */
  private boolean handle(HttpRequest req, Socket s, InputStream in, OutputStream out)
      throws IOException {
    if (req.method().equals("GET") && req.path().endsWith("/models")) {
      respond(out, 200, Map.of(), "{\"object\":\"list\",\"data\":[{\"id\":\"fake-model\","
          + "\"object\":\"model\",\"owned_by\":\"in2-stream\"}]}");
      return true;
    }
    if (req.method().equals("GET") && req.path().endsWith("/defects")) {
      respond(out, 200, Map.of(), JSON.writeValueAsString(labels()));
      return true;
    }
    if (req.method().equals("GET") && req.path().endsWith("/stats")) {
      respond(out, 200, Map.of(), JSON.writeValueAsString(stats()));
      return true;
    }
    if (!req.method().equals("POST") || !req.path().endsWith("/chat/completions")) {
      respond(out, 404, Map.of(), "{\"error\":{\"message\":\"not found\"}}");
      return true;
    }
    long arrived = System.nanoTime();
    firstArrival.accumulateAndGet(arrived, Math::min);
    requests.incrementAndGet();
    String worker = req.headers().getOrDefault("x-in2-worker", "unknown");
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    int w = workerInFlight.computeIfAbsent(worker, k -> new AtomicInteger()).incrementAndGet();
    workerMax.computeIfAbsent(worker, k -> new AtomicInteger()).accumulateAndGet(w, Math::max);
    try {
      return answer(req, arrived, s, in, out);
    } finally {
      inFlight.decrementAndGet();
      workerInFlight.get(worker).decrementAndGet();
      lastDone.accumulateAndGet(System.nanoTime(), Math::max);
    }
  }

  private boolean answer(HttpRequest req, long arrived, Socket s, InputStream in, OutputStream out)
      throws IOException {
    if (config.requiredApiKey() != null
        && !("Bearer " + config.requiredApiKey()).equals(req.headers().get("authorization"))) {
      unauthorized.incrementAndGet();
      count("401");
      respond(out, 401, Map.of(), "{\"error\":{\"message\":\"invalid api key\","
          + "\"type\":\"invalid_request_error\"}}");
      return true;
    }
    JsonNode body;
    try {
      body = JSON.readTree(req.body());
    } catch (IOException e) {
      count("400");
      respond(out, 400, Map.of(), "{\"error\":{\"message\":\"body is not JSON\"}}");
      return true;
    }
    String key = req.headers().getOrDefault("x-client-request-id",
        Integer.toHexString(body.path("messages").toString().hashCode()));
    Long notBefore = notBeforeNanos.get(key);
    if (notBefore != null && arrived < notBefore) {
      retryAfterViolations.incrementAndGet();
    }
    int seen = seenPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    SplittableRandom rng = Seeds.rng(config.seed(), "fake-llm", key + "#" + seen);
    double u = rng.nextDouble();

    if (!waitForSlot(s, in)) {
      count("client_gone");
      return false;
    }
    try {
      String format = body.path("response_format").path("type").asText("none");
      if (config.rejectJsonSchema() && format.equals("json_schema")) {
        count("400_response_format");
        respond(out, 400, Map.of(), "{\"error\":{\"message\":\"response_format json_schema is not "
            + "supported\",\"type\":\"invalid_request_error\",\"param\":\"response_format\"}}");
        return true;
      }
      double edge = config.rate429RetryAfter();
      if (u < edge) {
        count("429_retry_after");
        // The deadline is set before the answer leaves, so a compliant client is never early.
        notBeforeNanos.put(key, System.nanoTime()
            + TimeUnit.SECONDS.toNanos(config.retryAfterSeconds()));
        respond(out, 429, Map.of("Retry-After", Integer.toString(config.retryAfterSeconds())),
            "{\"error\":{\"message\":\"rate limited\",\"type\":\"rate_limit_error\"}}");
        return true;
      }
      if (u < (edge += config.rate429Plain())) {
        count("429_plain");
        respond(out, 429, Map.of(), "{\"error\":{\"message\":\"slow down\"}}");
        return true;
      }
      if (u < (edge += config.rate5xx())) {
        int status = rng.nextBoolean() ? 500 : 503;
        count(Integer.toString(status));
        respond(out, status, Map.of(), "{\"error\":{\"message\":\"server error\"}}");
        return true;
      }
      if (u < (edge += config.rateHang())) {
        count("hang");
        pause(s, in, config.hangMs());
        return false; // never answered: drop the connection
      }
      if (!pause(s, in, config.latencyMs())) {
        count("client_gone");
        return false;
      }
      if (u < (edge += config.rateMalformed())) {
        String[] kinds = {"not_json", "wrong_shape", "empty_choices", "length"};
        String kind = kinds[rng.nextInt(kinds.length)];
        count("malformed_" + kind);
        respond(out, 200, Map.of(), malformed(kind));
        return true;
      }
      count("ok");
      respond(out, 200, Map.of(), completion(body, key, format, rng));
      return true;
    } finally {
      if (slots != null) {
        slots.release();
      }
    }
  }

  private void count(String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
  }

  private boolean waitForSlot(Socket s, InputStream in) throws IOException {
    if (slots == null) {
      return true;
    }
    while (true) {
      try {
        if (slots.tryAcquire(20, TimeUnit.MILLISECONDS)) {
          return true;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (clientGone(s, in, 1)) {
        return false;
      }
    }
  }

  /** Waits, watching the connection; false when the client hung up meanwhile. */
  private static boolean pause(Socket s, InputStream in, long ms) throws IOException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (true) {
      long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
      if (left <= 0) {
        return true;
      }
      if (clientGone(s, in, (int) Math.min(left, 50))) {
        return false;
      }
    }
  }

  /** A client waiting for an answer sends nothing; end of stream means it closed the connection. */
  private static boolean clientGone(Socket s, InputStream in, int waitMs) throws IOException {
    s.setSoTimeout(Math.max(1, waitMs));
    in.mark(1);
    try {
      int b = in.read();
      if (b < 0) {
        return true;
      }
      in.reset();
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } finally {
      s.setSoTimeout(0);
    }
  }

  private static String malformed(String kind) {
    return switch (kind) {
      case "not_json" -> "{\"id\":\"chatcmpl-fake\",\"choices\":[{\"message\":{\"content\":\"{\\\"qu";
      case "wrong_shape" -> "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"result\":"
          + "\"ok\"}";
      case "empty_choices" -> "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\","
          + "\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":0}}";
      default -> "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":\"{\\\"question\\\": \\\"What\"},"
          + "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":16}}";
    };
  }

  private static final Pattern EVIDENCE_FENCE = Pattern.compile(
      "-----BEGIN EVIDENCE (\\w+)-----\\n(.*?)\\n?-----END EVIDENCE \\1-----", Pattern.DOTALL);
  private static final Pattern QUESTION_LINE = Pattern.compile("(?m)^Question: (.*)$");

  /**
   * A reply like a served model's: for a generation prompt, a QA pair taken from the fenced text
   * (good, or with a labelled defect); for a verification prompt, the answer {@link FakeModel} gives.
   */
  private String completion(JsonNode body, String key, String format, SplittableRandom rng)
      throws IOException {
    String user = "";
    String system = "";
    for (JsonNode m : body.path("messages")) {
      if (m.path("role").asText().equals("user")) {
        user = m.path("content").asText();
      } else if (m.path("role").asText().equals("system")) {
        system = m.path("content").asText();
      }
    }
    String content;
    Matcher fence = FENCE.matcher(user);
    Matcher question = QUESTION_LINE.matcher(user);
    if (!fence.find() && question.find()) {
      Matcher ev = EVIDENCE_FENCE.matcher(user);
      String evidence = ev.find() ? ev.group(2) : null;
      requestKinds.computeIfAbsent(evidence == null ? "closed_book" : "with_evidence",
          k -> new AtomicLong()).incrementAndGet();
      ObjectNode a = JSON.createObjectNode();
      a.put("answer", FakeModel.answer(question.group(1).strip(), evidence));
      content = JSON.writeValueAsString(a);
    } else {
      requestKinds.computeIfAbsent("generate", k -> new AtomicLong()).incrementAndGet();
      fence.reset();
      String data = fence.find() ? fence.group(2) : user;
      boolean evidenceFormat = user.contains("\"evidence\"");
      boolean gullible = data.toLowerCase(Locale.ROOT).contains(GULLIBLE_TRIGGER);
      double defectDraw = Seeds.uniform(config.seed(), "fake-llm-defect", key);
      FakeModel.Generated g = FakeModel.generate(data, system, evidenceFormat, gullible, rng,
          defectDraw, config.defects());
      questions.put(key, g.question());
      answers.put(key, g.answer());
      label(key, g.label());
      content = g.content();
    }
    if (format.equals("none")) {
      content = "Here is the pair:\n```json\n" + content + "\n```";
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("id", "chatcmpl-" + key.substring(0, Math.min(12, key.length())));
    out.put("object", "chat.completion");
    out.put("created", 1_700_000_000L);
    out.put("model", body.path("model").asText("fake-model"));
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", content);
    choice.put("finish_reason", "stop");
    ObjectNode usage = out.putObject("usage");
    usage.put("prompt_tokens", (system.length() + user.length()) / 4);
    usage.put("completion_tokens", content.length() / 4);
    usage.put("total_tokens", (system.length() + user.length() + content.length()) / 4);
    return JSON.writeValueAsString(out);
  }

  private static HttpRequest read(InputStream in) throws IOException {
    String requestLine = line(in);
    while (requestLine != null && requestLine.isEmpty()) {
      requestLine = line(in);
    }
    if (requestLine == null) {
      return null;
    }
    String[] parts = requestLine.split(" ");
    if (parts.length < 2) {
      throw new IOException("bad request line");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      if (colon > 0) {
        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            h.substring(colon + 1).trim());
      }
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      while (true) {
        String size = line(in);
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          for (String t = line(in); t != null && !t.isEmpty(); t = line(in)) {
            // trailers: ignored
          }
          break;
        }
        buf.write(in.readNBytes(n));
        line(in);
      }
      body = buf.toByteArray();
    } else {
      int n = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      body = in.readNBytes(n);
    }
    return new HttpRequest(parts[0], parts[1], headers, body);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        break;
      }
      if (b != '\r') {
        buf.write(b);
      }
    }
    if (b < 0 && buf.size() == 0) {
      return null;
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }

  private static void respond(OutputStream out, int status, Map<String, String> headers,
      String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ')
        .append(status == 200 ? "OK" : status == 429 ? "Too Many Requests" : "Error")
        .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(bytes.length)
        .append("\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  /**
   * Runs the server until killed: {@code --port=0 --latencyMs=200 --concurrency=16 --rate429=0.3
   * --rate429RetryAfterShare=0.5 --rate5xx=0.05 --rateHang=0.02 --rateMalformed=0.05
   * --retryAfterSeconds=1 --hangMs=60000 --apiKey=KEY --rejectJsonSchema=true
   * --defects=ungrounded=0.05,swapped_digits=0.05,... --defectLog=FILE.jsonl}.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("use --name=value, got " + arg);
      }
      a.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    double r429 = Double.parseDouble(a.getOrDefault("rate429", "0"));
    double share = Double.parseDouble(a.getOrDefault("rate429RetryAfterShare", "0.5"));
    Config c = new Config(Long.parseLong(a.getOrDefault("latencyMs", "200")),
        Integer.parseInt(a.getOrDefault("concurrency", "0")), r429 * share, r429 * (1 - share),
        Double.parseDouble(a.getOrDefault("rate5xx", "0")),
        Double.parseDouble(a.getOrDefault("rateHang", "0")),
        Double.parseDouble(a.getOrDefault("rateMalformed", "0")),
        Integer.parseInt(a.getOrDefault("retryAfterSeconds", "1")),
        Long.parseLong(a.getOrDefault("hangMs", "60000")),
        Long.parseLong(a.getOrDefault("seed", "7")), a.get("apiKey"),
        Boolean.parseBoolean(a.getOrDefault("rejectJsonSchema", "false")),
        FakeModel.parseRates(a.get("defects")));
    FakeLlmServer server = start(c, Integer.parseInt(a.getOrDefault("port", "0")));
    if (a.containsKey("defectLog")) {
      server.logLabelsTo(java.nio.file.Path.of(a.get("defectLog")));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() ->
        System.out.println("fake-llm: final " + server.stats())));
    System.out.println("fake-llm: listening on " + server.baseUrl() + " with " + c);
    System.out.println("fake-llm: counts at GET " + server.baseUrl() + "/stats, defect labels at "
        + "GET " + server.baseUrl() + "/defects");
    System.out.flush();
    Thread.currentThread().join();
  }
}
