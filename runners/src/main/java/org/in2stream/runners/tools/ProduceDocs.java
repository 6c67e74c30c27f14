package org.in2stream.runners.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends a folder of documents to a Kafka topic: each {@code .txt} file is one record (its raw bytes,
 * keyed by the file name), each non-blank line of a {@code .jsonl} file is one record (no key). Files
 * are sent in name order. With {@code --recreate=true} the topic is deleted and created first, so the
 * topic holds exactly what was sent.
 */
public final class ProduceDocs {
  private ProduceDocs() {}

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = new Args(argv, Set.of("bootstrapServers", "topic", "dir", "recreate", "partitions"));
      args.required("topic");
      args.required("dir");
    } catch (IllegalArgumentException e) {
      System.err.println("produce-docs: " + e.getMessage());
      System.err.println("usage: --bootstrapServers=localhost:9092 --topic=T --dir=DIR "
          + "[--recreate=true] [--partitions=2]");
      System.exit(2);
      return;
    }
    String servers = args.get("bootstrapServers", "localhost:9092");
    String topic = args.required("topic");
    Path dir = Path.of(args.required("dir"));
    if (Boolean.parseBoolean(args.get("recreate", "false"))) {
      recreateTopic(servers, topic, args.intValue("partitions", 2));
    }
    long sent = produce(servers, topic, dir);
    System.out.println("Sent " + sent + " records from " + dir + " to topic " + topic);
  }

  /** Deletes (if present) and creates {@code topic}; waits until it is usable. */
  public static void recreateTopic(String servers, String topic, int partitions)
      throws InterruptedException, ExecutionException {
    try (Admin admin = Admin.create(adminProps(servers))) {
      if (admin.listTopics().names().get().contains(topic)) {
        admin.deleteTopics(List.of(topic)).all().get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (admin.listTopics().names().get().contains(topic)) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("topic " + topic + " still exists 30 s after delete");
          }
          Thread.sleep(200);
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
          return;
        } catch (ExecutionException e) {
          // Deletion finishes asynchronously on the broker; creation is refused until it does.
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(300);
        }
      }
    }
  }

  /** Sends every document of {@code dir}; returns how many records the broker acknowledged. */
  public static long produce(String servers, String topic, Path dir)
      throws IOException, InterruptedException, ExecutionException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".txt") || p.toString().endsWith(".jsonl"))
          .sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no .txt or .jsonl files in " + dir);
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (Path f : files) {
        if (f.toString().endsWith(".txt")) {
          byte[] key = f.getFileName().toString().getBytes(StandardCharsets.UTF_8);
          acks.add(producer.send(new ProducerRecord<>(topic, key, Files.readAllBytes(f))));
        } else {
          for (byte[] line : lines(Files.readAllBytes(f))) {
            acks.add(producer.send(new ProducerRecord<>(topic, null, line)));
          }
        }
      }
      producer.flush();
    }
    for (Future<RecordMetadata> ack : acks) {
      ack.get(); // surfaces any send failure
    }
    return acks.size();
  }

  /**
   * Non-blank lines as raw bytes: a line that is not valid UTF-8 is still sent, so that the pipeline
   * dead-letters it rather than this tool failing.
   */
  static List<byte[]> lines(byte[] bytes) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
        byte[] line = java.util.Arrays.copyOfRange(bytes, start, end);
        if (!new String(line, StandardCharsets.ISO_8859_1).isBlank()) {
          out.add(line);
        }
        start = i + 1;
      }
    }
    return out;
  }

  private static Properties adminProps(String servers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    return props;
  }
}
