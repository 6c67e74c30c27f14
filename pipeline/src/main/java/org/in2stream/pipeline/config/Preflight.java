package org.in2stream.pipeline.config;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.in2stream.pipeline.tokenize.Tokenizers;

/**
 * Checks that run before any data moves, so that a wrong setting fails in seconds with a message that
 * says what to fix, instead of as a hung or crash-looping job.
 */
public final class Preflight {
  private static final long TIMEOUT_SECONDS = 20;

  private Preflight() {}

  /** Throws {@link IllegalStateException} with an actionable message when something is off. */
  public static void check(PipelineConfig config) {
    checkTokenizer(config.tokenizer());
    checkTopic(config.bootstrapServers(), config.inputTopic());
    if (config.llm() != null) {
      checkLlmServer(config.llm().baseUrl());
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
   * The LLM server answers HTTP at all (any status: not every server has {@code GET /models}, and
   * the launcher may not hold the key). Catches a wrong host or port before the job starts.
   */
  public static void checkLlmServer(String baseUrl) {
    String url = baseUrl.endsWith("/") ? baseUrl + "models" : baseUrl + "/models";
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try {
      client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET()
          .build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the LLM server at --llmUrl=" + baseUrl + " ("
          + e.getClass().getSimpleName() + "); start it or fix the URL", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the LLM server", e);
    }
  }

  /** The broker answers and the topic exists; returns its partition count. */
  public static int checkTopic(String bootstrapServers, String topic) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    try (Admin admin = Admin.create(props)) {
      try {
        admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e) {
        throw new IllegalStateException("cannot reach Kafka at --bootstrapServers="
            + bootstrapServers + " within " + TIMEOUT_SECONDS + " s; start a broker "
            + "(scripts/kafka-local.sh start) or fix the address", e);
      }
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
