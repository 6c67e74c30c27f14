package org.in2stream.benchmarks;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.in2stream.runners.tools.ProduceDocs;

/**
 * Streams the corpus {@code GenerateCorpus} wrote (its {@code corpus-*.jsonl} files, line by line, in
 * file order; nothing is held in memory) to a fresh topic for the steady-state runs, with two things
 * {@code ProduceDocs} does not do:
 * <ul>
 *   <li>record {@code i} goes to partition {@code i % partitions}, so the first {@code N} documents
 *       are exactly the offsets {@code [0, N / partitions)} of every partition and a run over a prefix
 *       of the corpus is {@code --replayTo=0:N/p,1:N/p,...};
 *   <li>record {@code i} carries the Kafka timestamp {@code start + i * 1000 / docsPerSecond}: an
 *       event-time stream at a fixed rate, so a window of {@code --windowSeconds=W} holds
 *       {@code W * docsPerSecond} documents however fast the broker takes them. {@code start} is the
 *       current minute minus the stream's span, so every timestamp is recent (within retention).
 * </ul>
 * With {@code --paced=true} it is a live stream instead: record {@code i} is sent at the wall-clock
 * instant {@code start + i * 1000 / docsPerSecond}, which is also its timestamp, from the moment the
 * producer starts, and {@code --limit=N} stops after {@code N} records (for the streaming rows,
 * whose job must see documents arrive at a fixed rate rather than a backlog).
 * Prints {@code Sent N} (the records the broker acknowledged) and exits 1 if any send failed.
 *
 * <pre>BenchProducer --bootstrapServers=H:P --topic=T --dir=DIR --docsPerSecond=R [--partitions=2]
 *     [--paced=true] [--limit=N]</pre>
 */
public final class BenchProducer {
  private BenchProducer() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : argv) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("expected --name=value, got " + arg);
      }
      a.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    String servers = a.getOrDefault("bootstrapServers", "localhost:9092");
    String topic = a.get("topic");
    Path dir = Path.of(a.get("dir"));
    int partitions = Integer.parseInt(a.getOrDefault("partitions", "2"));
    double rate = Double.parseDouble(a.getOrDefault("docsPerSecond", "10"));
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
    long lines = 0;
    for (Path f : files) {
      try (Stream<String> s = Files.lines(f, StandardCharsets.UTF_8)) {
        lines += s.filter(l -> !l.isBlank()).count();
      }
    }
    boolean paced = Boolean.parseBoolean(a.getOrDefault("paced", "false"));
    long limit = Long.parseLong(a.getOrDefault("limit", String.valueOf(Long.MAX_VALUE)));
    ProduceDocs.recreateTopic(servers, topic, partitions);
    long minute = System.currentTimeMillis() / 60_000 * 60_000;
    long start = paced ? System.currentTimeMillis()
        : minute - (long) Math.ceil(lines * 1000 / rate / 60_000 + 1) * 60_000;

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    AtomicLong acked = new AtomicLong();
    AtomicReference<Exception> failed = new AtomicReference<>();
    long i = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (Path f : files) {
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
          for (String line = r.readLine(); line != null && i < limit; line = r.readLine()) {
            if (line.isBlank()) {
              continue;
            }
            long ts = start + (long) (i * 1000 / rate);
            long wait = ts - System.currentTimeMillis();
            if (paced && wait > 0) {
              Thread.sleep(wait);
            }
            producer.send(new ProducerRecord<>(topic, (int) (i % partitions), ts, null,
                line.getBytes(StandardCharsets.UTF_8)), (meta, e) -> {
                  if (e == null) {
                    acked.incrementAndGet();
                  } else {
                    failed.compareAndSet(null, e);
                  }
                });
            i++;
          }
        }
      }
      producer.flush();
    }
    System.out.println("Sent " + acked.get() + " records to " + topic + " at " + rate
        + " documents per " + (paced ? "wall-clock" : "event-time") + " second");
    if (failed.get() != null) {
      System.err.println("bench-producer: " + failed.get());
      System.exit(1);
    }
  }
}
