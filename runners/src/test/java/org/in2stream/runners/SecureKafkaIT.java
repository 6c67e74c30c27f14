package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.in2stream.pipeline.config.Preflight;
import org.in2stream.pipeline.util.KafkaClientProperties;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.ProduceDocs;
import org.in2stream.schema.LongContextExample;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a SASL_SSL broker with SCRAM-SHA-512 and a self-signed CA, started by {@code
 * KAFKA_SECURE=1 scripts/kafka-local.sh} on free ports: produce-docs, the replay read, the
 * exactly-once topic writers and the admin checks all go through {@code --kafkaProperties}; a wrong
 * password is a one-line error and nothing is written. No password reaches the options or the job
 * graph: only references to the file do.
 */
class SecureKafkaIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir
  static Path state;
  private static Map<String, String> env;
  private static String servers;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void startSecureBroker() throws Exception {
    int port = freePort();
    env = Map.of("KAFKA_SECURE", "1", "KAFKA_STATE_DIR", state.resolve("kafka").toString(),
        "KAFKA_PORT", Integer.toString(port),
        "KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
    script("start");
    servers = "localhost:" + port;
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (env != null) {
      script("stop");
    }
  }

  private static void script(String command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("scripts/kafka-local.sh")
        .toString(), command).inheritIO();
    pb.environment().putAll(env);
    Process p = pb.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "kafka-local.sh " + command + " timed out");
    assertEquals(0, p.exitValue(), "kafka-local.sh " + command);
  }

  private static Path clientProperties() {
    return state.resolve("kafka/client.properties");
  }

  private static String password(Path props) throws IOException {
    Matcher m = Pattern.compile("password=\"([^\"]+)\"").matcher(Files.readString(props));
    assertTrue(m.find());
    return m.group(1);
  }

  @Test
  void replayWithExactlyOnceTopicsThroughSaslSsl(@TempDir Path tmp) throws Exception {
    Path props = clientProperties();
    String secret = password(props);
    Map<String, Object> kafka = KafkaClientProperties.load(props.toString());
    assertFalse(kafka.toString().contains(secret), "only references go into the job graph");

    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.Summary generated = GenerateCorpus.generate(corpus, 120, 13, false);
    ProduceDocs.recreateTopic(servers, "secure-docs", 2, kafka);
    ProduceDocs.Result sent = ProduceDocs.produce(servers, "secure-docs", corpus, kafka,
        ProduceDocs.DEFAULT_MAX_RECORD_BYTES);
    assertEquals(generated.documents(), sent.sent(), sent.toString());
    assertTrue(sent.skipped().isEmpty(), sent.toString());

    Path out = tmp.resolve("out");
    String[] args = {"--bootstrapServers=" + servers, "--inputTopic=secure-docs",
        "--output=" + out, "--outputTopic=secure-examples", "--deadLetterTopic=secure-dead",
        "--eosShards=1", "--kafkaProperties=" + props, "--parallelism=1",
        "--minContextTokens=2048", "--maxContextTokens=8192"};
    In2Main.Options options = In2Main.parse(args);
    assertFalse(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(options)
        .contains(secret), "the options (shown in the Flink UI) hold only the file's path");
    Captured run = captured(() -> In2Main.execute(args));
    assertEquals(0, run.status(), run.err());

    Set<String> filed = new HashSet<>();
    try (Stream<Path> s = Files.walk(out.resolve("examples"))) {
      for (Path f : s.filter(p -> p.toString().endsWith(".avro")).toList()) {
        try (DataFileReader<LongContextExample> r = new DataFileReader<>(f.toFile(),
            new SpecificDatumReader<>(LongContextExample.class))) {
          r.forEach(e -> filed.add(e.getId()));
        }
      }
    }
    assertTrue(filed.size() > 50, "examples written: " + filed.size());
    assertEquals(filed, committedKeys(kafka, "secure-examples"),
        "the exactly-once topic holds exactly the examples of the files");
  }

  @Test
  void wrongPasswordIsOneLineAndNothingIsWritten(@TempDir Path tmp) throws Exception {
    Path good = clientProperties();
    String secret = password(good);
    Path bad = tmp.resolve("bad.properties");
    Files.writeString(bad, Files.readString(good).replace("password=\"" + secret + "\"",
        "password=\"not-the-password\""));
    Path out = tmp.resolve("out");
    Captured run = captured(() -> In2Main.execute("--bootstrapServers=" + servers,
        "--inputTopic=secure-docs", "--output=" + out, "--outputTopic=never-created",
        "--kafkaProperties=" + bad));
    assertEquals(2, run.status(), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
    assertTrue(run.err().contains("refused the connection")
        && run.err().contains("Authentication failed"), run.err());
    assertFalse(run.err().contains("not-the-password") || run.err().contains(secret));
    assertFalse(Files.exists(out), "no output folder");
    try (Admin admin = Preflight.admin(servers, KafkaClientProperties.load(good.toString()))) {
      assertFalse(admin.listTopics().names().get().contains("never-created"));
    }
  }

  /** Keys of the committed records of {@code topic}, read with read_committed. */
  private static Set<String> committedKeys(Map<String, Object> kafka, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    Set<String> keys = new HashSet<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
        KafkaClientProperties.merge(p, kafka))) {
      List<TopicPartition> tps = c.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          keys.add(r.key());
        }
      }
    }
    return keys;
  }

  private record Captured(int status, String err) {}

  private static Captured captured(IntSupplier run) {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = run.getAsInt();
    } finally {
      System.setErr(old);
    }
    String ours = buf.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.startsWith("in2-stream: ")).collect(Collectors.joining("\n"));
    System.out.println("exit " + status + ":\n" + ours);
    return new Captured(status, ours);
  }
}
