package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.in2stream.pipeline.synth.llm.FakeLlmServer;
import org.in2stream.runners.tools.GenerateCorpus;
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

  // ---- issue 14, point 5: runs that would produce nothing useful fail loudly ----

  @Test
  void llmUrlWithTheOfflineGenerator() {
    assertFailsNaming("never calls it; add --generator=openai",
        "--llmUrl=http://127.0.0.1:1/v1");
  }

  @Test
  void modelThatTheServerDoesNotList() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(0))) {
      assertFailsNaming("--llmModel=gpt-nonexistent is not served at --llmUrl=", "--generator=openai",
          "--llmUrl=" + server.baseUrl(), "--llmModel=gpt-nonexistent", "--llmCache=none");
      // the right name passes: the listed model and one authenticated-or-not chat call
      In2Main.prepare("--bootstrapServers=" + KAFKA.bootstrapServers(), "--inputTopic=present",
          "--output=/tmp/in2-never-written", "--generator=openai", "--llmUrl=" + server.baseUrl(),
          "--llmModel=fake-model", "--llmCache=none");
      assertEquals(1, server.stats().requests(), "exactly one chat call by the preflight");
    }
  }

  @Test
  void wrongOrMissingApiKey(@TempDir Path tmp) throws Exception {
    try (FakeLlmServer server = FakeLlmServer.start(
        FakeLlmServer.Config.healthy(0).withApiKey("sk-right-key"))) {
      Path wrong = tmp.resolve("key");
      Files.writeString(wrong, "sk-wrong-key\n");
      RuntimeException e = assertThrows(IllegalStateException.class, () -> In2Main.prepare(
          "--bootstrapServers=" + KAFKA.bootstrapServers(), "--inputTopic=present",
          "--output=/tmp/in2-never-written", "--generator=openai", "--llmUrl=" + server.baseUrl(),
          "--llmModel=fake-model", "--llmCache=none", "--llmApiKeyFile=" + wrong));
      assertTrue(e.getMessage().contains("refused POST /chat/completions with HTTP 401 with the "
          + "API key from the file --llmApiKeyFile=" + wrong), e.getMessage());
      assertFalse(e.getMessage().contains("sk-wrong-key"), "the key never appears in a message");
      assertFailsNaming("and no API key was found in the environment variable "
          + "IN2_TEST_NO_SUCH_VARIABLE", "--generator=openai", "--llmUrl=" + server.baseUrl(),
          "--llmModel=fake-model", "--llmCache=none", "--llmApiKeyEnv=IN2_TEST_NO_SUCH_VARIABLE");
      Files.writeString(wrong, "sk-right-key");
      In2Main.prepare("--bootstrapServers=" + KAFKA.bootstrapServers(), "--inputTopic=present",
          "--output=/tmp/in2-never-written", "--generator=openai", "--llmUrl=" + server.baseUrl(),
          "--llmModel=fake-model", "--llmCache=none", "--llmApiKeyFile=" + wrong);
    }
  }

  @Test
  void urlWithoutTheApiPath() throws Exception {
    // A web server at the right host and port whose paths are not the OpenAI API (a missing /v1
    // on vLLM gives the same 404s).
    HttpServer web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        0);
    web.createContext("/", x -> {
      byte[] body = "{\"detail\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(404, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    web.start();
    try {
      assertFailsNaming("both answer 404; the URL usually ends with /v1", "--generator=openai",
          "--llmUrl=http://127.0.0.1:" + web.getAddress().getPort(), "--llmModel=m",
          "--llmCache=none");
    } finally {
      web.stop(0);
    }
  }

  @Test
  void unresolvableBrokerName() {
    assertFailsNaming("cannot use Kafka at --bootstrapServers=no-such-broker.invalid:9092",
        "--bootstrapServers=no-such-broker.invalid:9092");
  }

  @Test
  void unresolvableBrokerIsOneLineAndExitTwo() {
    Captured c = captured(() -> In2Main.execute("--bootstrapServers=no-such-broker.invalid:9092",
        "--inputTopic=present", "--output=/tmp/in2-never-written"));
    assertEquals(2, c.status());
    assertEquals(1, c.err().strip().lines().count(), c.err());
    assertTrue(c.err().startsWith("in2-stream: cannot use Kafka"), c.err());
  }

  @Test
  void boundedRunWithMostlyDeadLettersExitsNonZeroWithReasons(@TempDir Path tmp)
      throws Exception {
    // 12 documents of a few hundred tokens each in one window cannot fill 16K..32K contexts.
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.generate(corpus, 12, 5, false);
    ProduceDocs.recreateTopic(KAFKA.bootstrapServers(), "tiny", 1);
    ProduceDocs.produce(KAFKA.bootstrapServers(), "tiny", corpus);
    String[] args = {"--bootstrapServers=" + KAFKA.bootstrapServers(), "--inputTopic=tiny",
        "--output=" + tmp.resolve("out"), "--parallelism=1", "--minContextTokens=16384"};

    assertTrue(In2Main.corpusWarning(In2Main.prepare(args).config()).orElseThrow()
        .contains("fewer tokens than --maxContextTokens=32768"));
    Captured c = captured(() -> In2Main.execute(args));
    assertEquals(3, c.status(), c.err());
    assertTrue(c.err().contains("in2-stream: warning: 1 of 1 event-time windows"), c.err());
    assertTrue(c.err().matches("(?s).*are dead letters \\(\\d+\\.\\d% > --maxDeadLetterShare=0\\.5\\): "
        + "INSUFFICIENT_FILLER=\\d+.*"), c.err());

    // Contexts the corpus can fill: no warning.
    String[] fits = {"--bootstrapServers=" + KAFKA.bootstrapServers(), "--inputTopic=tiny",
        "--output=" + tmp.resolve("out2"), "--minContextTokens=1024", "--maxContextTokens=2048"};
    assertTrue(In2Main.corpusWarning(In2Main.prepare(fits).config()).isEmpty());
  }

  @Test
  void produceDocsWalksSubfoldersAndReportsWhatItCannotSend(@TempDir Path tmp) throws Exception {
    // The test broker keeps Kafka's default 1 MB message.max.bytes: the 1.5 MB file is refused by
    // the broker, the 3 MB one by --maxRecordBytes before it is read; everything else is sent.
    Path dir = tmp.resolve("in");
    Files.createDirectories(dir.resolve("nested/deeper"));
    Files.writeString(dir.resolve("a.txt"), "first document");
    Files.writeString(dir.resolve("nested/b.txt"), "second document");
    Files.writeString(dir.resolve("nested/deeper/c.jsonl"),
        "{\"text\":\"third\"}\n\n{\"text\":\"" + "x".repeat(2_500_000) + "\"}\n{\"text\":\"fourth\"}\n");
    Files.write(dir.resolve("nested/big.txt"), new byte[1_500_000]);
    Files.write(dir.resolve("huge.txt"), new byte[3_000_000]);
    ProduceDocs.recreateTopic(KAFKA.bootstrapServers(), "walked", 1);
    ProduceDocs.Result r = ProduceDocs.produce(KAFKA.bootstrapServers(), "walked", dir, Map.of(),
        2_000_000);
    assertEquals(4, r.sent(), r.toString());
    assertEquals(List.of("huge.txt", "nested/big.txt", "nested/deeper/c.jsonl:3"),
        r.skipped().stream().map(ProduceDocs.Skipped::where).toList());
    assertTrue(r.skipped().get(0).reason().contains("larger than --maxRecordBytes=2000000"));
    assertTrue(r.skipped().get(1).reason().contains("RecordTooLargeException"),
        r.skipped().get(1).reason());
    assertTrue(r.skipped().get(2).reason().contains("line of 2500011 bytes"),
        r.skipped().get(2).reason());
  }

  private record Captured(int status, String err) {}

  private static Captured captured(java.util.function.IntSupplier run) {
    java.io.PrintStream old = System.err;
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    java.io.PrintStream tee = new java.io.PrintStream(buf, true, StandardCharsets.UTF_8);
    System.setErr(tee);
    int status;
    try {
      status = run.getAsInt();
    } finally {
      System.setErr(old);
    }
    String err = buf.toString(StandardCharsets.UTF_8);
    // keep only our own lines: the runner logs through slf4j-simple to stderr as well
    String ours = err.lines().filter(l -> l.startsWith("in2-stream: "))
        .collect(java.util.stream.Collectors.joining("\n"));
    System.out.println("exit " + status + ":\n" + ours);
    return new Captured(status, ours);
  }
}
