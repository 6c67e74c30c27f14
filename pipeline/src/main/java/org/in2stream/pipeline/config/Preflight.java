package org.in2stream.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.in2stream.pipeline.synth.llm.LlmSettings;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.pipeline.util.KafkaClientProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that run before any data moves, so that a wrong setting fails in seconds with a message that
 * says what to fix, instead of as a hung or crash-looping job.
 */
public final class Preflight {
  private static final long TIMEOUT_SECONDS = 20;
  private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Preflight() {}

  /** Throws {@link IllegalStateException} with an actionable message when something is off. */
  public static void check(PipelineConfig config) {
    checkTokenizer(config.tokenizer());
    Map<String, Object> kafka = config.kafkaClientProperties();
    checkTopic(config.bootstrapServers(), config.inputTopic(), kafka);
    for (String topic : new String[] {config.outputTopic(), config.deadLetterTopic(),
        config.qaJournalTopic()}) {
      if (topic != null) {
        checkExactlyOnceTopic(config.bootstrapServers(), topic, config.eosShards(), kafka);
      }
    }
    if (config.llm() != null) {
      checkLlmServer(config.llm());
    }
  }

  /** The tokenizer loads here, not first on a worker (a corrupt tokenizer.json fails in seconds). */
  public static void checkTokenizer(String spec) {
    try {
      Tokenizers.load(spec);
    } catch (RuntimeException e) {
      throw new IllegalStateException("--tokenizer=" + spec + " cannot be loaded (" + e.getMessage()
          + "); point it to a Hugging Face tokenizer.json readable on every worker, or use "
          + "tiktoken:cl100k_base", e);
    }
  }

  /**
   * The LLM server answers HTTP at all (any status). Catches a wrong host or port; {@link
   * #checkLlmServer(LlmSettings)} checks the model and the key as well.
   */
  public static void checkLlmServer(String baseUrl) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    send(client, baseUrl, HttpRequest.newBuilder(URI.create(join(baseUrl, "models"))).GET());
  }

  /**
   * The server at {@code --llmUrl} serves {@code --llmModel} and accepts the key: {@code GET
   * /models} must list the model (when the server has that endpoint), then one chat call of one
   * token, with the key the launcher finds the way the workers do ({@code --llmApiKeyFile}, else
   * {@code --llmApiKeyEnv}), must succeed. A refusal names what to fix: the URL path, the model name
   * or the key. A busy server (429, 5xx, no answer in time) is only reported: the job retries.
   */
  public static void checkLlmServer(LlmSettings llm) {
    String baseUrl = llm.baseUrl();
    String key = launcherKey(llm);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest.Builder models = HttpRequest.newBuilder(URI.create(join(baseUrl, "models"))).GET();
    if (key != null) {
      models.header("Authorization", "Bearer " + key);
    }
    HttpResponse<String> listed = send(client, baseUrl, models);
    if (listed == null) {
      return; // timed out: reported; the job's own retries take over
    }
    if (listed.statusCode() == 401 || listed.statusCode() == 403) {
      throw new IllegalStateException(keyProblem(llm, key, listed.statusCode(), "GET /models"));
    }
    if (listed.statusCode() == 200) {
      List<String> ids = modelIds(listed.body());
      if (ids != null && !ids.contains(llm.model())) {
        throw new IllegalStateException("--llmModel=" + llm.model() + " is not served at --llmUrl="
            + baseUrl + "; GET /models lists " + (ids.size() > 20 ? ids.subList(0, 20) + "..." : ids)
            + ": use one of those names");
      }
    }
    String body = "{\"model\":" + jsonString(llm.model()) + ",\"max_tokens\":1,\"messages\":"
        + "[{\"role\":\"user\",\"content\":\"Reply with OK.\"}]}";
    HttpRequest.Builder chat = HttpRequest.newBuilder(URI.create(join(baseUrl, "chat/completions")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      chat.header("Authorization", "Bearer " + key);
    }
    HttpResponse<String> answer = send(client, baseUrl, chat);
    if (answer == null) {
      return;
    }
    int status = answer.statusCode();
    String said = serverMessage(answer.body(), key);
    if (status / 100 == 2) {
      return;
    }
    if (status == 401 || status == 403) {
      throw new IllegalStateException(keyProblem(llm, key, status, "POST /chat/completions"));
    }
    if (status == 404 && listed.statusCode() == 404) {
      throw new IllegalStateException("no OpenAI API at --llmUrl=" + baseUrl + ": GET /models and "
          + "POST /chat/completions both answer 404; the URL usually ends with /v1 (e.g. "
          + "http://host:8000/v1)");
    }
    if (status == 404 || status == 400 || status == 422) {
      throw new IllegalStateException("the LLM server at --llmUrl=" + baseUrl + " refused a "
          + "one-token chat call for --llmModel=" + llm.model() + " (HTTP " + status + ": " + said
          + "); check the model name and that the URL ends with the API root (often /v1)");
    }
    if (status == 429 || status / 100 == 5) {
      LOG.warn("the LLM server at {} answered HTTP {} to the preflight call ({}); the job will "
          + "retry its calls", baseUrl, status, said);
      return;
    }
    throw new IllegalStateException("the LLM server at --llmUrl=" + baseUrl + " answered HTTP "
        + status + " to a one-token chat call (" + said + ")");
  }

  private static String keyProblem(LlmSettings llm, String key, int status, String call) {
    String source = llm.apiKeyFile() != null && !llm.apiKeyFile().isBlank()
        ? "the file --llmApiKeyFile=" + llm.apiKeyFile()
        : "the environment variable " + llm.apiKeyEnv() + " (--llmApiKeyEnv)";
    return "the LLM server at --llmUrl=" + llm.baseUrl() + " refused " + call + " with HTTP "
        + status + (key == null ? " and no API key was found in " + source
            : " with the API key from " + source)
        + ": put the right key there, on the launcher and on every worker";
  }

  /** The key as the workers read it, or null when there is none here. Never logged. */
  private static String launcherKey(LlmSettings llm) {
    if (llm.apiKeyFile() != null && !llm.apiKeyFile().isBlank()) {
      try {
        String text = java.nio.file.Files.readString(java.nio.file.Path.of(llm.apiKeyFile())).strip();
        return text.isEmpty() ? null : text;
      } catch (IOException e) {
        throw new IllegalStateException("cannot read --llmApiKeyFile=" + llm.apiKeyFile() + " ("
            + e.getClass().getSimpleName() + "); it must exist on the launcher and every worker");
      }
    }
    String env = llm.apiKeyEnv() == null ? null : System.getenv(llm.apiKeyEnv());
    return env == null || env.isBlank() ? null : env.strip();
  }

  /** Sends; null when the server did not answer in time (reported, not fatal). */
  private static HttpResponse<String> send(HttpClient client, String baseUrl,
      HttpRequest.Builder request) {
    try {
      return client.send(request.timeout(Duration.ofSeconds(TIMEOUT_SECONDS)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.net.http.HttpTimeoutException e) {
      LOG.warn("the LLM server at {} did not answer the preflight call within {} s", baseUrl,
          TIMEOUT_SECONDS);
      return null;
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the LLM server at --llmUrl=" + baseUrl + " ("
          + e.getClass().getSimpleName() + "); start it or fix the URL", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the LLM server", e);
    }
  }

  private static String join(String baseUrl, String path) {
    return baseUrl.endsWith("/") ? baseUrl + path : baseUrl + "/" + path;
  }

  /** The ids of an OpenAI {@code /models} list, or null when the body is not one. */
  static List<String> modelIds(String body) {
    try {
      JsonNode data = JSON.readTree(body).path("data");
      if (!data.isArray()) {
        return null;
      }
      List<String> ids = new ArrayList<>();
      data.forEach(m -> ids.add(m.path("id").asText()));
      return ids;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The server's error message, redacted and cut short, for one-line errors. */
  private static String serverMessage(String body, String key) {
    String text = body == null ? "" : body;
    try {
      JsonNode msg = JSON.readTree(text).path("error").path("message");
      if (msg.isTextual()) {
        text = msg.asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: keep the text
    }
    if (key != null && key.length() >= 4) {
      text = text.replace(key, "[redacted]");
    }
    text = text.replaceAll("\\s+", " ").strip();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  private static String jsonString(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A topic written by Beam's exactly-once Kafka writer needs at least {@code eosShards} partitions:
   * shard {@code i} commits its progress as the sink group's offset of partition {@code i}, and the
   * broker refuses offsets of partitions that do not exist, so with fewer partitions the writer
   * times out on its first transaction and never recovers. A missing topic is created here with
   * {@code eosShards} partitions (the broker's default replication), rather than auto-created on
   * first write with the broker's default partition count; returns the partition count.
   */
  public static int checkExactlyOnceTopic(String bootstrapServers, String topic, int eosShards) {
    return checkExactlyOnceTopic(bootstrapServers, topic, eosShards, Map.of());
  }

  /** {@link #checkExactlyOnceTopic(String, String, int)} with extra client properties. */
  public static int checkExactlyOnceTopic(String bootstrapServers, String topic, int eosShards,
      Map<String, Object> kafka) {
    try (Admin admin = admin(bootstrapServers, kafka)) {
      reachable(admin, bootstrapServers);
      try {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic).partitions().size();
        if (partitions < eosShards) {
          throw new IllegalStateException("output topic " + topic + " has " + partitions
              + " partition(s) but --eosShards=" + eosShards + ": the exactly-once writer keeps "
              + "shard i's progress under partition i, so it needs at least " + eosShards
              + "; add partitions (kafka-topics.sh --alter --topic " + topic + " --partitions "
              + eosShards + ") or set --eosShards=" + partitions);
        }
        return partitions;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause(),
              e);
        }
      }
      try {
        admin.createTopics(List.of(new NewTopic(topic, Optional.of(eosShards), Optional.empty())))
            .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) { // created meanwhile: check again
          throw new IllegalStateException("cannot create output topic " + topic + " with "
              + eosShards + " partitions: " + e.getCause(), e);
        }
        return checkExactlyOnceTopic(bootstrapServers, topic, eosShards, kafka);
      }
      return eosShards;
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not describe or create topic " + topic
          + " within " + TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking Kafka", e);
    }
  }

  /**
   * An admin client, or a one-line {@link IllegalStateException} when none can be made (a broker
   * name that does not resolve, a malformed address, an unusable {@code --kafkaProperties}).
   */
  public static Admin admin(String bootstrapServers, Map<String, Object> kafka) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    try {
      return Admin.create(KafkaClientProperties.merge(props, kafka));
    } catch (KafkaException e) {
      throw new IllegalStateException("cannot use Kafka at --bootstrapServers=" + bootstrapServers
          + ": " + rootMessage(e) + "; fix the address (host:port, the host must resolve here and "
          + "on every worker)" + (kafka.isEmpty() ? "" : " or --kafkaProperties"), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return (t == e ? m : e.getMessage() + " (" + m + ")").replaceAll("\\s+", " ");
  }

  private static void reachable(Admin admin, String bootstrapServers) throws InterruptedException {
    try {
      admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthenticationException
          || e.getCause() instanceof AuthorizationException) {
        throw new IllegalStateException("Kafka at --bootstrapServers=" + bootstrapServers
            + " refused the connection: " + e.getCause().getMessage().replaceAll("\\s+", " ")
            + "; fix the credentials or TLS settings of --kafkaProperties", e);
      }
      throw new IllegalStateException("cannot reach Kafka at --bootstrapServers="
          + bootstrapServers + " (" + e.getCause() + "); start a broker "
          + "(scripts/kafka-local.sh start) or fix the address", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot reach Kafka at --bootstrapServers="
          + bootstrapServers + " within " + TIMEOUT_SECONDS + " s; start a broker "
          + "(scripts/kafka-local.sh start) or fix the address", e);
    }
  }

  /** The broker answers and the topic exists; returns its partition count. */
  public static int checkTopic(String bootstrapServers, String topic) {
    return checkTopic(bootstrapServers, topic, Map.of());
  }

  /** {@link #checkTopic(String, String)} with extra client properties. */
  public static int checkTopic(String bootstrapServers, String topic, Map<String, Object> kafka) {
    try (Admin admin = admin(bootstrapServers, kafka)) {
      reachable(admin, bootstrapServers);
      try {
        Map<String, TopicDescription> topics = admin.describeTopics(List.of(topic))
            .allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return topics.get(topic).partitions().size();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          throw new IllegalStateException("topic --inputTopic=" + topic + " does not exist on "
              + bootstrapServers + "; create it or produce to it first (scripts/produce-docs.sh)",
              e);
        }
        throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause(), e);
      } catch (TimeoutException e) {
        throw new IllegalStateException("Kafka did not describe topic " + topic + " within "
            + TIMEOUT_SECONDS + " s", e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking Kafka", e);
    }
  }
}
