package org.in2stream.pipeline.config;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
import org.apache.kafka.common.errors.TopicExistsException;
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
    for (String topic : new String[] {config.outputTopic(), config.deadLetterTopic(),
        config.qaJournalTopic()}) {
      if (topic != null) {
        checkExactlyOnceTopic(config.bootstrapServers(), topic, config.eosShards());
      }
    }
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

  /**
   * A topic written by Beam's exactly-once Kafka writer needs at least {@code eosShards} partitions:
   * shard {@code i} commits its progress as the sink group's offset of partition {@code i}, and the
   * broker refuses offsets of partitions that do not exist, so with fewer partitions the writer
   * times out on its first transaction and never recovers. A missing topic is created here with
   * {@code eosShards} partitions (the broker's default replication), rather than auto-created on
   * first write with the broker's default partition count; returns the partition count.
   */
  public static int checkExactlyOnceTopic(String bootstrapServers, String topic, int eosShards) {
    try (Admin admin = Admin.create(adminProps(bootstrapServers))) {
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
        return checkExactlyOnceTopic(bootstrapServers, topic, eosShards);
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

  private static Properties adminProps(String bootstrapServers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    return props;
  }

  private static void reachable(Admin admin, String bootstrapServers) throws InterruptedException {
    try {
      admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new IllegalStateException("cannot reach Kafka at --bootstrapServers="
          + bootstrapServers + " within " + TIMEOUT_SECONDS + " s; start a broker "
          + "(scripts/kafka-local.sh start) or fix the address", e);
    }
  }

  /** The broker answers and the topic exists; returns its partition count. */
  public static int checkTopic(String bootstrapServers, String topic) {
    try (Admin admin = Admin.create(adminProps(bootstrapServers))) {
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
