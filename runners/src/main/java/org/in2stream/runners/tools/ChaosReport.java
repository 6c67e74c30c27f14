package org.in2stream.runners.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;

/**
 * Reads back what a chaos run ({@code scripts/chaos.sh}) produced: the examples topic and the
 * dead-letter topic {@code read_committed} (and, for comparison, how many records the examples topic
 * holds {@code read_uncommitted}, aborted transactions included), plus the Avro files below
 * {@code --output}. Prints one {@code key<TAB>value} line per measure, for the script's table:
 * expected and distinct document ids, lost ids (neither an example nor a dead letter), duplicated
 * example ids (Kafka and files separately),
 * dead letters, for each fault ({@code --faults=name@faultMillis@runningMillis,...}) the seconds
 * from the fault to the first example record created after the job ran again, and the end-to-end
 * latency of the examples: from the Kafka timestamp of the source document to the create time of the
 * example record in the output topic, and from the end of the document's event-time window
 * ({@code --windowSeconds}) to that create time (the part the windowing does not explain).
 */
public final class ChaosReport {
  private ChaosReport() {}

  /** One record of a topic: its key, value bytes and timestamp. */
  private record Rec(String key, byte[] value, long timestamp) {}

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = new Args(argv, Set.of("bootstrapServers", "topic", "deadLetterTopic", "output",
          "docs", "faults", "windowSeconds"));
      args.required("topic");
      args.required("docs");
    } catch (IllegalArgumentException e) {
      System.err.println("chaos-report: " + e.getMessage());
      System.err.println("usage: --bootstrapServers=H:P --topic=T --docs=N [--deadLetterTopic=D] "
          + "[--output=DIR] [--faults=name@faultMillis[@runningMillis],...]");
      System.exit(2);
      return;
    }
    String servers = args.get("bootstrapServers", "localhost:9092");
    int docs = args.intValue("docs", 0);
    Map<String, String> out = new LinkedHashMap<>();

    Set<String> expected = new TreeSet<>();
    for (int i = 1; i <= docs; i++) {
      expected.add(String.format(Locale.ROOT, "doc-%05d", i));
    }
    out.put("expected_doc_ids", String.valueOf(expected.size()));

    List<Rec> committed = readTopic(servers, args.required("topic"), "read_committed");
    List<Rec> uncommitted = readTopic(servers, args.required("topic"), "read_uncommitted");
    Set<String> kafkaDocs = new TreeSet<>();
    Map<String, Integer> kafkaIds = new HashMap<>();
    Map<String, byte[]> firstValue = new HashMap<>();
    int dupDifferentBytes = 0;
    List<Long> createdAt = new ArrayList<>();
    List<Long> latency = new ArrayList<>();
    List<Long> afterWindow = new ArrayList<>();
    long windowMillis = args.intValue("windowSeconds", 0) * 1000L;
    int undecodable = 0;
    for (Rec r : committed) {
      try {
        LongContextExample e = LongContextExample.getDecoder().decode(r.value());
        kafkaDocs.add(e.getSourceDocId().toString());
        kafkaIds.merge(e.getId().toString(), 1, Integer::sum);
        byte[] first = firstValue.putIfAbsent(e.getId().toString(), r.value());
        if (first != null && !java.util.Arrays.equals(first, r.value())) {
          dupDifferentBytes++;
        }
        long in = e.getSource().getTimestamp();
        latency.add(r.timestamp() - in);
        if (windowMillis > 0) {
          afterWindow.add(r.timestamp() - (Math.floorDiv(in, windowMillis) + 1) * windowMillis);
        }
      } catch (Exception ex) {
        undecodable++;
      }
      createdAt.add(r.timestamp());
    }
    long kafkaDupIds = kafkaIds.values().stream().filter(n -> n > 1).count();
    long kafkaDupRecords = kafkaIds.values().stream().mapToLong(n -> n - 1).sum();
    out.put("kafka_records_read_committed", String.valueOf(committed.size()));
    out.put("kafka_records_read_uncommitted", String.valueOf(uncommitted.size()));
    out.put("kafka_undecodable", String.valueOf(undecodable));
    out.put("kafka_distinct_example_ids", String.valueOf(kafkaIds.size()));
    out.put("kafka_distinct_doc_ids", String.valueOf(kafkaDocs.size()));
    // A document is lost when it has neither an example nor a dead letter: a dead letter is an
    // accounted outcome with a reason (e.g. INSUFFICIENT_FILLER for a window holding one document).
    Map<String, String> kafkaDead = new TreeMap<>();
    if (args.get("deadLetterTopic", null) != null) {
      List<Rec> dead = readTopic(servers, args.get("deadLetterTopic", null), "read_committed");
      out.put("kafka_dead_letters", String.valueOf(dead.size()));
      for (Rec r : dead) {
        try {
          Failure f = Failure.getDecoder().decode(r.value());
          if (f.getDocId() != null) {
            kafkaDead.put(f.getDocId(), String.valueOf(f.getReason()));
          }
        } catch (Exception ex) {
          undecodable++;
        }
      }
      out.put("kafka_dead_letter_docs", reasons(kafkaDead));
    }
    Set<String> kafkaAccounted = new TreeSet<>(kafkaDocs);
    kafkaAccounted.addAll(kafkaDead.keySet());
    out.put("kafka_lost_doc_ids", String.valueOf(missing(expected, kafkaAccounted).size()));
    out.put("kafka_lost_sample", sample(missing(expected, kafkaAccounted)));
    out.put("kafka_unexpected_doc_ids", String.valueOf(missing(kafkaDocs, expected).size()));
    out.put("kafka_dup_example_ids", String.valueOf(kafkaDupIds));
    out.put("kafka_dup_extra_records", String.valueOf(kafkaDupRecords));
    out.put("kafka_dup_records_with_other_bytes", String.valueOf(dupDifferentBytes));
    out.put("kafka_first_created_ms", createdAt.isEmpty() ? "-"
        : String.valueOf(createdAt.stream().mapToLong(Long::longValue).min().getAsLong()));
    out.put("latency_ms", percentiles(latency));
    out.put("latency_after_window_ms", percentiles(afterWindow));

    String output = args.get("output", null);
    if (output != null && Files.isDirectory(Path.of(output))) {
      OutputReport.Report report = OutputReport.read(Path.of(output));
      Set<String> fileDocs = new TreeSet<>();
      Map<String, Integer> fileIds = new HashMap<>();
      for (LongContextExample e : report.examples()) {
        fileDocs.add(e.getSourceDocId().toString());
        fileIds.merge(e.getId().toString(), 1, Integer::sum);
      }
      out.put("file_records", String.valueOf(report.examples().size()));
      out.put("file_distinct_doc_ids", String.valueOf(fileDocs.size()));
      Map<String, String> fileDead = new TreeMap<>();
      for (Failure f : report.failures()) {
        if (f.getDocId() != null) {
          fileDead.put(f.getDocId(), String.valueOf(f.getReason()));
        }
      }
      Set<String> fileAccounted = new TreeSet<>(fileDocs);
      fileAccounted.addAll(fileDead.keySet());
      out.put("file_lost_doc_ids", String.valueOf(missing(expected, fileAccounted).size()));
      out.put("file_lost_sample", sample(missing(expected, fileAccounted)));
      out.put("file_dead_letter_docs", reasons(fileDead));
      out.put("file_dup_example_ids",
          String.valueOf(fileIds.values().stream().filter(n -> n > 1).count()));
      out.put("file_dup_extra_records",
          String.valueOf(fileIds.values().stream().mapToLong(n -> n - 1).sum()));
      out.put("file_dead_letters", String.valueOf(report.failures().size()));
      long nonDup = report.violations().stream().filter(v -> !v.endsWith("duplicate example id"))
          .count();
      out.put("file_violations", String.valueOf(nonDup));
      // Same examples in both outputs? (ids only)
      Set<String> onlyKafka = new TreeSet<>(kafkaIds.keySet());
      onlyKafka.removeAll(fileIds.keySet());
      Set<String> onlyFiles = new TreeSet<>(fileIds.keySet());
      onlyFiles.removeAll(kafkaIds.keySet());
      out.put("ids_only_in_kafka", String.valueOf(onlyKafka.size()));
      out.put("ids_only_in_files", String.valueOf(onlyFiles.size()));
    }

    String faults = args.get("faults", "");
    createdAt.sort(Long::compare);
    for (String f : faults.split(",")) {
      if (f.isBlank() || !f.contains("@")) {
        continue;
      }
      String[] parts = f.split("@");
      String name = parts[0];
      long at = Long.parseLong(parts[1]);
      // After the job runs again (a stop-with-savepoint flushes output before the new job starts).
      long from = parts.length > 2 ? Long.parseLong(parts[2]) : at;
      Long first = createdAt.stream().filter(t -> t > from).findFirst().orElse(null);
      out.put("output_resumed_s:" + name,
          first == null ? "never" : String.format(Locale.ROOT, "%.1f", (first - at) / 1000.0));
    }

    out.forEach((k, v) -> System.out.println(k + "\t" + v));
  }

  /** "p50 X, p90 Y, p99 Z, max W (n N)" by the nearest-rank method, or "-" without values. */
  static String percentiles(List<Long> values) {
    if (values.isEmpty()) {
      return "-";
    }
    List<Long> v = new ArrayList<>(values);
    v.sort(Long::compare);
    return String.format(Locale.ROOT, "p50 %d, p90 %d, p99 %d, max %d (n %d)", rank(v, 50),
        rank(v, 90), rank(v, 99), v.get(v.size() - 1), v.size());
  }

  /** The nearest-rank percentile of sorted values: the smallest value with p% at or below it. */
  static long rank(List<Long> sorted, int p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }

  /** "doc-1 REASON, doc-2 REASON" (at most 8), or "-". */
  private static String reasons(Map<String, String> byDoc) {
    if (byDoc.isEmpty()) {
      return "-";
    }
    List<String> l = new ArrayList<>();
    byDoc.forEach((doc, reason) -> l.add(doc + " " + reason));
    return String.join(", ", l.subList(0, Math.min(8, l.size()))) + (l.size() > 8 ? ", ..." : "");
  }

  private static Set<String> missing(Set<String> all, Set<String> present) {
    Set<String> m = new TreeSet<>(all);
    m.removeAll(present);
    return m;
  }

  private static String sample(Set<String> ids) {
    if (ids.isEmpty()) {
      return "-";
    }
    List<String> l = new ArrayList<>(ids);
    return String.join(" ", l.subList(0, Math.min(8, l.size())))
        + (l.size() > 8 ? " ..." : "");
  }

  /** Every record of {@code topic} from the beginning up to the end offsets (per isolation level). */
  static List<Rec> readTopic(String servers, String topic, String isolation) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "chaos-report-" + UUID.randomUUID());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    List<Rec> recs = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        return recs;
      }
      List<TopicPartition> tps = infos.stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      // For read_committed, endOffsets are the last stable offsets.
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end in 3 minutes");
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          recs.add(new Rec(r.key() == null ? null : new String(r.key(),
              java.nio.charset.StandardCharsets.UTF_8), r.value(), r.timestamp()));
        }
      }
    }
    return recs;
  }
}
