package org.in2stream.runners.tools;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.in2stream.pipeline.config.Preflight;
import org.in2stream.pipeline.util.KafkaClientProperties;

/**
 * Sends a folder of documents (and its subfolders) to a Kafka topic: each {@code .txt} file is one
 * record (its raw bytes, keyed by its path relative to the folder), each non-blank line of a {@code
 * .jsonl} file is one record (no key). Files are sent in path order; {@code .jsonl} files are
 * streamed line by line. A record that cannot be sent (larger than {@code --maxRecordBytes}, refused
 * by the broker) is reported with its reason and the rest are still sent; the exit status is 3 when
 * anything was skipped. With {@code --recreate=true} the topic is deleted and created first, so the
 * topic holds exactly what was sent.
 */
public final class ProduceDocs {
  /** Default largest record: the producer's {@code max.request.size} (the local broker takes it). */
  public static final int DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

  private ProduceDocs() {}

  /** A record that was not sent: where it came from and why. */
  public record Skipped(String where, String reason) {
    @Override
    public String toString() {
      return where + ": " + reason;
    }
  }

  /** What a run sent and skipped. */
  public record Result(long sent, List<Skipped> skipped) {}

  public static void main(String[] argv) {
    Args args;
    try {
      args = new Args(argv, Set.of("bootstrapServers", "topic", "dir", "recreate", "partitions",
          "kafkaProperties", "maxRecordBytes"));
      args.required("topic");
      args.required("dir");
    } catch (IllegalArgumentException e) {
      System.err.println("produce-docs: " + e.getMessage());
      System.err.println("usage: --bootstrapServers=localhost:9092 --topic=T --dir=DIR "
          + "[--recreate=true] [--partitions=2] [--kafkaProperties=FILE] [--maxRecordBytes=N]");
      System.exit(2);
      return;
    }
    String servers = args.get("bootstrapServers", "localhost:9092");
    String topic = args.required("topic");
    Path dir = Path.of(args.required("dir"));
    Result result;
    try {
      Map<String, Object> kafka = KafkaClientProperties.load(args.get("kafkaProperties", null));
      if (Boolean.parseBoolean(args.get("recreate", "false"))) {
        recreateTopic(servers, topic, args.intValue("partitions", 2), kafka);
      }
      result = produce(servers, topic, dir, kafka,
          args.intValue("maxRecordBytes", DEFAULT_MAX_RECORD_BYTES));
    } catch (IllegalArgumentException | IllegalStateException | KafkaException | IOException e) {
      System.err.println("produce-docs: " + e.getMessage());
      System.exit(1);
      return;
    } catch (ExecutionException e) {
      System.err.println("produce-docs: " + e.getCause());
      System.exit(1);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(1);
      return;
    }
    for (Skipped s : result.skipped()) {
      System.err.println("produce-docs: not sent: " + s);
    }
    System.out.println("Sent " + result.sent() + " records from " + dir + " to topic " + topic
        + (result.skipped().isEmpty() ? "" : "; " + result.skipped().size()
            + " not sent (listed above)"));
    if (!result.skipped().isEmpty()) {
      System.exit(3);
    }
  }

  /** Deletes (if present) and creates {@code topic}; waits until it is usable. */
  public static void recreateTopic(String servers, String topic, int partitions)
      throws InterruptedException, ExecutionException {
    recreateTopic(servers, topic, partitions, Map.of());
  }

  /** {@link #recreateTopic(String, String, int)} with extra client properties. */
  public static void recreateTopic(String servers, String topic, int partitions,
      Map<String, Object> kafka) throws InterruptedException, ExecutionException {
    try (Admin admin = Preflight.admin(servers, kafka)) {
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

  /**
   * Sends every document of {@code dir}; returns how many records the broker acknowledged, and
   * fails if any record could not be sent.
   */
  public static long produce(String servers, String topic, Path dir)
      throws IOException, InterruptedException, ExecutionException {
    Result r = produce(servers, topic, dir, Map.of(), DEFAULT_MAX_RECORD_BYTES);
    if (!r.skipped().isEmpty()) {
      throw new ExecutionException("not sent: " + r.skipped(), null);
    }
    return r.sent();
  }

  /**
   * Sends every document of {@code dir} and its subfolders; a record that cannot be sent is listed
   * in the result with its reason, and the others are still sent.
   */
  public static Result produce(String servers, String topic, Path dir, Map<String, Object> kafka,
      int maxRecordBytes) throws IOException, InterruptedException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--dir=" + dir + " is not a folder");
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".txt") || p.toString().endsWith(".jsonl"))
          .sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no .txt or .jsonl files in " + dir + " or below");
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes + 65_536);
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * (maxRecordBytes + 65_536));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    AtomicLong acked = new AtomicLong();
    List<Skipped> skipped = Collections.synchronizedList(new ArrayList<>());
    try {
      // Fails in seconds with one line when the broker is unreachable or refuses the credentials.
      Preflight.checkTopic(servers, topic, kafka);
    } catch (IllegalStateException e) {
      if (!e.getMessage().contains("does not exist")) {
        throw e;
      } // a missing topic is auto-created on first write when the broker allows it
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        KafkaClientProperties.merge(props, kafka))) {
      Sender sender = new Sender(producer, topic, acked, skipped);
      for (Path f : files) {
        String rel = dir.relativize(f).toString();
        if (f.toString().endsWith(".txt")) {
          long size = Files.size(f);
          if (size > maxRecordBytes) {
            skipped.add(new Skipped(rel, "file of " + size + " bytes is larger than "
                + "--maxRecordBytes=" + maxRecordBytes));
            continue;
          }
          sender.send(rel, rel.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(f));
        } else {
          streamLines(f, rel, maxRecordBytes, sender, skipped);
        }
      }
      producer.flush();
    }
    List<Skipped> sorted = new ArrayList<>(skipped);
    sorted.sort((a, b) -> a.where().compareTo(b.where()));
    return new Result(acked.get(), List.copyOf(sorted));
  }

  /** Sends records and keeps what the broker refused, with the reason. */
  private record Sender(KafkaProducer<byte[], byte[]> producer, String topic, AtomicLong acked,
      List<Skipped> skipped) {
    void send(String where, byte[] key, byte[] value) {
      try {
        producer.send(new ProducerRecord<>(topic, key, value), (meta, e) -> {
          if (e == null) {
            acked.incrementAndGet();
          } else {
            skipped.add(new Skipped(where, e.getClass().getSimpleName() + ": " + e.getMessage()));
          }
        });
      } catch (KafkaException e) {
        skipped.add(new Skipped(where, e.getClass().getSimpleName() + ": " + e.getMessage()));
      }
    }
  }

  /** Sends each non-blank line of a JSON-lines file, reading it as a stream. */
  private static void streamLines(Path f, String rel, int maxRecordBytes, Sender sender,
      List<Skipped> skipped) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 16)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      long lineNo = 1;
      long lineBytes = 0;
      int b;
      while (true) {
        b = in.read();
        if (b == '\n' || b == -1) {
          String where = rel + ":" + lineNo;
          if (lineBytes > maxRecordBytes) {
            skipped.add(new Skipped(where, "line of " + lineBytes + " bytes is larger than "
                + "--maxRecordBytes=" + maxRecordBytes));
          } else {
            byte[] bytes = line.toByteArray();
            int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1
                : bytes.length;
            byte[] value = java.util.Arrays.copyOf(bytes, end);
            if (!new String(value, StandardCharsets.ISO_8859_1).isBlank()) {
              sender.send(where, null, value);
            }
          }
          if (b == -1) {
            return;
          }
          line.reset();
          lineBytes = 0;
          lineNo++;
        } else {
          lineBytes++;
          if (lineBytes <= maxRecordBytes) {
            line.write(b);
          } else if (line.size() > 0) {
            line.reset(); // too long: count the rest, keep nothing
          }
        }
      }
    }
  }
}
