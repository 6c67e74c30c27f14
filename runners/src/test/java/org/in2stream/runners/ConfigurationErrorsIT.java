package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.in2stream.runners.tools.ProduceDocs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration errors fail in {@link In2Main#prepare}, before a pipeline is built or a record read,
 * with a message that names what to fix. Value errors are covered by {@code PipelineConfigTest}; these
 * need the outside world: a broker, a topic, an HTTP port, a file.
 */
class ConfigurationErrorsIT {
  @RegisterExtension
  static final EmbeddedKafka.PerClass KAFKA = new EmbeddedKafka.PerClass();

  @BeforeAll
  static void createTopic() throws Exception {
    ProduceDocs.recreateTopic(KAFKA.bootstrapServers(), "present", 1);
    ProduceDocs.recreateTopic(KAFKA.bootstrapServers(), "narrow-out", 1);
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void assertFailsNaming(String expected, String... extra) {
    List<String> args = new ArrayList<>(List.of("--bootstrapServers=" + KAFKA.bootstrapServers(),
        "--inputTopic=present", "--output=/tmp/in2-never-written"));
    for (String e : extra) {
      args.removeIf(a -> a.startsWith(e.substring(0, e.indexOf('=') + 1)));
      args.add(e);
    }
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> In2Main.prepare(args.toArray(String[]::new)), String.join(" ", extra));
    assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException,
        e.toString());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    System.out.println("fails fast: " + String.join(" ", extra) + " -> " + e.getMessage());
  }

  @Test
  void missingTopic() {
    assertFailsNaming("--inputTopic=absent does not exist", "--inputTopic=absent");
  }

  @Test
  void outputTopicWithFewerPartitionsThanExactlyOnceShards() {
    assertFailsNaming("output topic narrow-out has 1 partition(s) but --eosShards=2",
        "--outputTopic=narrow-out", "--eosShards=2");
    assertFailsNaming("output topic narrow-out has 1 partition(s) but --eosShards=3",
        "--mode=stream", "--deadLetterTopic=narrow-out", "--eosShards=3");
  }

  @Test
  void aMissingOutputTopicIsCreatedWithOnePartitionPerShard() throws Exception {
    In2Main.prepare("--bootstrapServers=" + KAFKA.bootstrapServers(), "--inputTopic=present",
        "--output=/tmp/in2-never-written", "--outputTopic=fresh-out", "--eosShards=3");
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, (Object) KAFKA.bootstrapServers()))) {
      assertEquals(3, admin.describeTopics(List.of("fresh-out")).allTopicNames().get()
          .get("fresh-out").partitions().size());
    }
  }

  @Test
  void unreachableBroker() throws Exception {
    assertFailsNaming("cannot reach Kafka", "--bootstrapServers=127.0.0.1:" + closedPort());
  }

  @Test
  void llmUrlThatDoesNotAnswer() throws Exception {
    assertFailsNaming("cannot reach the LLM server at --llmUrl", "--generator=openai",
        "--llmUrl=http://127.0.0.1:" + closedPort() + "/v1", "--llmModel=m", "--llmCache=none");
  }

  @Test
  void unreadableOrCorruptTokenizerFile(@TempDir Path tmp) throws Exception {
    assertFailsNaming("no readable tokenizer.json", "--tokenizer=hf:" + tmp.resolve("absent.json"));
    Path corrupt = tmp.resolve("tokenizer.json");
    Files.writeString(corrupt, "{\"this is\": \"not a tokenizer\"");
    assertFailsNaming("--tokenizer=hf:" + corrupt + " cannot be loaded", "--tokenizer=hf:" + corrupt);
  }

  @Test
  void unknownOptionsAndValues() {
    assertFailsNaming("--inputFormat", "--inputFormat=pdf");
    assertFailsNaming("maxDocumentTokenz", "--maxDocumentTokenz=5");
    assertFailsNaming("--maxSequenceTokens", "--maxSequenceTokens=1000");
  }
}
