package org.in2stream.runners.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends the documents of a folder (each non-blank line of its {@code .jsonl} files, files in name
 * order) to a topic at a given pace, from one producer, so that a broker that is down for a while
 * only delays the sends: a batch of {@code --batchSize} documents starts every {@code --periodMillis}
 * ms on an absolute schedule (no drift). With {@code --alignMillis=W} each batch starts
 * {@code --alignOffsetMillis} after a multiple of W of the wall clock and all its records carry that
 * start as their Kafka timestamp, so a batch lies in one event-time window of length W (or a divisor
 * of W): no window holds a stray few documents of a batch that straddled its boundary.
 *
 * <pre>TrafficProducer --bootstrapServers=H:P --topic=T --dir=DIR --batchSize=N --periodMillis=P
 *     [--alignMillis=W] [--alignOffsetMillis=1000]</pre>
 *
 * Prints one line per batch (index, documents, timestamp) and exits 1 if any send failed.
 */
public final class TrafficProducer {
  private TrafficProducer() {}

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = new Args(argv, Set.of("bootstrapServers", "topic", "dir", "batchSize",
          "periodMillis", "alignMillis", "alignOffsetMillis"));
      args.required("topic");
      args.required("dir");
    } catch (IllegalArgumentException e) {
      System.err.println("traffic-producer: " + e.getMessage());
      System.err.println("usage: --bootstrapServers=H:P --topic=T --dir=DIR --batchSize=N "
          + "--periodMillis=P [--alignMillis=W] [--alignOffsetMillis=1000]");
      System.exit(2);
      return;
    }
    int batchSize = args.intValue("batchSize", 1);
    long period = args.intValue("periodMillis", 1000);
    long align = args.intValue("alignMillis", 0);
    long offset = args.intValue("alignOffsetMillis", 1000);
    if (batchSize < 1 || period < 0 || align < 0 || offset < 0 || (align > 0 && offset >= align)) {
      System.err.println("traffic-producer: need --batchSize >= 1, --periodMillis >= 0, "
          + "0 <= --alignOffsetMillis < --alignMillis");
      System.exit(2);
      return;
    }
    List<byte[]> docs = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of(args.required("dir")))) {
      files = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
    }
    for (Path f : files) {
      // The generated corpus is UTF-8 JSON lines: one document per non-blank line.
      for (String line : Files.readAllLines(f, java.nio.charset.StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          docs.add(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrapServers",
        "localhost:9092"));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    // A broker restart in a fault test must delay the sends, not fail them.
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    String topic = args.required("topic");
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      long start = firstStart(System.currentTimeMillis(), align, offset);
      for (int b = 0; b * batchSize < docs.size(); b++) {
        long at = start + b * period;
        long wait = at - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        Long timestamp = align > 0 ? at : null;
        int end = Math.min(docs.size(), (b + 1) * batchSize);
        for (byte[] doc : docs.subList(b * batchSize, end)) {
          acks.add(producer.send(new ProducerRecord<>(topic, null, timestamp, null, doc)));
        }
        System.out.printf("batch %d: %d documents at %d%n", b, end - b * batchSize,
            timestamp == null ? System.currentTimeMillis() : at);
        System.out.flush();
      }
      producer.flush();
    }
    for (Future<RecordMetadata> ack : acks) {
      ack.get(); // surfaces any send failure
    }
    System.out.println("sent " + acks.size() + " documents to " + topic);
  }

  /**
   * When the first batch starts: now without alignment, else the first instant {@code offset}
   * after a multiple of {@code align} that is at least 200 ms away (time to prepare the send).
   */
  static long firstStart(long now, long align, long offset) {
    if (align <= 0) {
      return now;
    }
    long t = Math.floorDiv(now, align) * align + offset;
    while (t < now + 200) {
      t += align;
    }
    return t;
  }
}
