package org.in2stream.runners.tools;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
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
 * Reads back what a chaos run ({@code scripts/chaos.sh}) produced and decides whether it passed.
 *
 * <p>It reads the examples topic and the dead-letter topic {@code read_committed} (and, for
 * comparison, how many records the examples topic holds {@code read_uncommitted}, aborted
 * transactions included), plus the Avro files below {@code --output}, and prints one
 * {@code key<TAB>value} line per measure for the script's table, then the verdict of
 * {@link #account}: {@code verdict<TAB>PASS|FAIL} and one {@code problem<TAB>...} line per broken
 * rule. The rules (all must hold, in Kafka and in the files alike):
 *
 * <ul>
 *   <li>no document lost: each expected document has an example, or a dead letter whose reason is on
 *       the allowed list of the corpus ({@code --allowedReasons}, empty by default: the chaos corpus is
 *       built so that no dead letter is expected);
 *   <li>no dead letter with a reason off that list (the count by reason is printed either way);
 *   <li>no duplicate: no example id twice in Kafka ({@code read_committed}) or in the files, no two
 *       ids with the same content (the file sink writes each id once, so only the content can show a
 *       duplicate there), no id with two different contents;
 *   <li>the Kafka and file id sets are equal, and each id has the same content in both;
 *   <li>every injected fault recovered ({@code --failedFaults} empty, {@code --plannedFaults} done);
 *   <li>every record decodes, and no file example breaks an invariant of {@code ExampleChecks}.
 * </ul>
 *
 * <p>For each fault ({@code --faults=name@faultMillis@runningMillis,...}) it prints the seconds from
 * the fault to the first example record created after the job ran again, and the end-to-end latency:
 * from the Kafka timestamp of the source document to the create time of the example record in the
 * output topic, and from the end of the document's event-time window ({@code --windowSeconds}).
 */
public final class ChaosReport {
  private ChaosReport() {}

  /** One record of a topic: its coordinates, key, value bytes and timestamp. */
  record Rec(int partition, long offset, String key, byte[] value, long timestamp) {}

  /** One example as a sink holds it: id, source document and a digest of its content. */
  record Example(String id, String docId, String contentDigest) {}

  /** One dead letter: its document (may be null) and reason code. */
  record DeadLetter(String docId, String reason) {}

  /** What one sink holds. */
  record Sink(List<Example> examples, List<DeadLetter> deadLetters) {}

  /**
   * Everything the verdict looks at. {@code files} is null when no output folder was read (then the
   * run cannot pass). {@code eosResendAllowed}: records the exactly-once runbook's resets allow to
   * be written twice in Kafka (0 unless the runbook ran); such extra copies must have the same
   * content as the first.
   */
  record Inputs(Set<String> expectedDocs, Sink kafka, Sink files, Set<String> allowedReasons,
      List<String> failedFaults, int plannedFaults, int recordedFaults, long eosResendAllowed,
      int undecodable, int fileViolations) {}

  /** The verdict: measures for the table, and the broken rules (empty when the run passed). */
  record Accounting(Map<String, String> measures, List<String> problems) {
    boolean passed() {
      return problems.isEmpty();
    }
  }

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = new Args(argv, Set.of("bootstrapServers", "topic", "deadLetterTopic", "output",
          "docs", "faults", "windowSeconds", "allowedReasons", "failedFaults", "plannedFaults",
          "eosResendAllowed"));
      args.required("topic");
      args.required("docs");
    } catch (IllegalArgumentException e) {
      System.err.println("chaos-report: " + e.getMessage());
      System.err.println("usage: --bootstrapServers=H:P --topic=T --docs=N [--deadLetterTopic=D] "
          + "[--output=DIR] [--faults=name@faultMillis[@runningMillis],...] "
          + "[--allowedReasons=R1,R2] [--failedFaults=name,...] [--plannedFaults=N] "
          + "[--eosResendAllowed=N] [--windowSeconds=S]");
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

    List<Rec> committed = readTopic(servers, args.required("topic"), "read_committed");
    List<Rec> uncommitted = readTopic(servers, args.required("topic"), "read_uncommitted");
    List<Example> kafkaExamples = new ArrayList<>();
    Map<String, byte[]> firstValue = new HashMap<>();
    int dupSameBytes = 0;
    List<Long> createdAt = new ArrayList<>();
    List<Long> latency = new ArrayList<>();
    List<Long> afterWindow = new ArrayList<>();
    long windowMillis = args.intValue("windowSeconds", 0) * 1000L;
    int undecodable = 0;
    for (Rec r : committed) {
      try {
        LongContextExample e = LongContextExample.getDecoder().decode(r.value());
        kafkaExamples.add(example(e));
        byte[] first = firstValue.putIfAbsent(e.getId(), r.value());
        if (first != null && Arrays.equals(first, r.value())) {
          dupSameBytes++;
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
    out.put("kafka_records_read_committed", String.valueOf(committed.size()));
    out.put("kafka_records_read_uncommitted", String.valueOf(uncommitted.size()));
    out.put("kafka_dup_records_same_bytes", String.valueOf(dupSameBytes));
    List<DeadLetter> kafkaDead = new ArrayList<>();
    if (args.get("deadLetterTopic", null) != null) {
      for (Rec r : readTopic(servers, args.get("deadLetterTopic", null), "read_committed")) {
        try {
          Failure f = Failure.getDecoder().decode(r.value());
          kafkaDead.add(new DeadLetter(f.getDocId(), f.getReason()));
        } catch (Exception ex) {
          undecodable++;
        }
      }
    }
    out.put("kafka_first_created_ms", createdAt.isEmpty() ? "-"
        : String.valueOf(createdAt.stream().mapToLong(Long::longValue).min().getAsLong()));
    out.put("latency_ms", percentiles(latency));
    out.put("latency_after_window_ms", percentiles(afterWindow));

    Sink files = null;
    int fileViolations = 0;
    String output = args.get("output", null);
    if (output != null && Files.isDirectory(Path.of(output))) {
      OutputReport.Report report = OutputReport.read(Path.of(output));
      List<Example> fileExamples = report.examples().stream().map(ChaosReport::example).toList();
      List<DeadLetter> fileDead = report.failures().stream()
          .map(f -> new DeadLetter(f.getDocId(), f.getReason())).toList();
      files = new Sink(fileExamples, fileDead);
      // Duplicate ids are counted by account() itself; the other violations break invariants.
      List<String> broken = report.violations().stream()
          .filter(v -> !v.endsWith("duplicate example id")).toList();
      fileViolations = broken.size();
      out.put("file_violation_sample", broken.isEmpty() ? "-"
          : String.join(" | ", broken.subList(0, Math.min(3, broken.size()))));
    }

    String faults = args.get("faults", "");
    createdAt.sort(Long::compare);
    int recorded = 0;
    for (String f : faults.split(",")) {
      if (f.isBlank() || !f.contains("@")) {
        continue;
      }
      recorded++;
      String[] parts = f.split("@");
      String name = parts[0];
      long at = Long.parseLong(parts[1]);
      // After the job runs again (a stop-with-savepoint flushes output before the new job starts).
      long from = parts.length > 2 ? Long.parseLong(parts[2]) : at;
      Long first = createdAt.stream().filter(t -> t > from).findFirst().orElse(null);
      out.put("output_resumed_s:" + name,
          first == null ? "never" : String.format(Locale.ROOT, "%.1f", (first - at) / 1000.0));
    }

    Accounting a = account(new Inputs(expected, new Sink(kafkaExamples, kafkaDead), files,
        csvSet(args.get("allowedReasons", "")),
        new ArrayList<>(csvSet(args.get("failedFaults", ""))),
        args.intValue("plannedFaults", recorded), recorded,
        args.intValue("eosResendAllowed", 0), undecodable, fileViolations));
    out.putAll(a.measures());
    out.forEach((k, v) -> System.out.println(k + "\t" + v));
    System.out.println("verdict\t" + (a.passed() ? "PASS" : "FAIL"));
    a.problems().forEach(p -> System.out.println("problem\t" + p));
  }

  /** The run's verdict by the rules of the class comment, with the measures of the table. */
  static Accounting account(Inputs in) {
    Map<String, String> m = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    m.put("expected_doc_ids", String.valueOf(in.expectedDocs().size()));
    m.put("allowed_dead_letter_reasons",
        in.allowedReasons().isEmpty() ? "none" : String.join(",", new TreeSet<>(in.allowedReasons())));
    Map<String, String> kafkaDigests = accountSink("kafka", in.kafka(), in, m, problems);
    if (in.files() == null) {
      problems.add("no output files were read: the file sink is unchecked");
    } else {
      Map<String, String> fileDigests = accountSink("file", in.files(), in, m, problems);
      Set<String> onlyKafka = missing(kafkaDigests.keySet(), fileDigests.keySet());
      Set<String> onlyFiles = missing(fileDigests.keySet(), kafkaDigests.keySet());
      m.put("ids_only_in_kafka", String.valueOf(onlyKafka.size()));
      m.put("ids_only_in_files", String.valueOf(onlyFiles.size()));
      if (!onlyKafka.isEmpty() || !onlyFiles.isEmpty()) {
        problems.add("the Kafka and file id sets differ: " + onlyKafka.size() + " only in Kafka ("
            + sample(onlyKafka) + "), " + onlyFiles.size() + " only in files ("
            + sample(onlyFiles) + ")");
      }
      Set<String> otherContent = new TreeSet<>();
      kafkaDigests.forEach((id, d) -> {
        String f = fileDigests.get(id);
        if (f != null && !f.equals(d)) {
          otherContent.add(id);
        }
      });
      m.put("ids_with_other_content_in_files", String.valueOf(otherContent.size()));
      if (!otherContent.isEmpty()) {
        problems.add(otherContent.size() + " example ids have one content in Kafka and another in"
            + " the files: " + sample(otherContent));
      }
    }
    m.put("faults_planned", String.valueOf(in.plannedFaults()));
    m.put("faults_recorded", String.valueOf(in.recordedFaults()));
    m.put("faults_failed", in.failedFaults().isEmpty() ? "none"
        : String.join(",", in.failedFaults()));
    if (!in.failedFaults().isEmpty()) {
      problems.add("faults that did not recover: " + String.join(", ", in.failedFaults()));
    }
    if (in.recordedFaults() < in.plannedFaults()) {
      problems.add("only " + in.recordedFaults() + " of " + in.plannedFaults()
          + " planned faults were injected");
    }
    m.put("undecodable_records", String.valueOf(in.undecodable()));
    if (in.undecodable() > 0) {
      problems.add(in.undecodable() + " records of the output topics did not decode");
    }
    m.put("file_violations", String.valueOf(in.fileViolations()));
    if (in.fileViolations() > 0) {
      problems.add(in.fileViolations() + " invariant violations in the file examples");
    }
    return new Accounting(m, problems);
  }

  /**
   * The rules of one sink ({@code name} is kafka or file); returns each id's content digest (the
   * first copy's).
   */
  private static Map<String, String> accountSink(String name, Sink sink, Inputs in,
      Map<String, String> m, List<String> problems) {
    Set<String> docsWithExamples = new TreeSet<>();
    Map<String, String> digestById = new HashMap<>();
    Map<String, Integer> copies = new TreeMap<>();
    Set<String> collided = new TreeSet<>();
    Map<String, Set<String>> idsByDigest = new HashMap<>();
    long extraSameContent = 0;
    for (Example e : sink.examples()) {
      docsWithExamples.add(e.docId());
      int n = copies.merge(e.id(), 1, Integer::sum);
      String first = digestById.putIfAbsent(e.id(), e.contentDigest());
      if (n > 1 && first.equals(e.contentDigest())) {
        extraSameContent++;
      } else if (n > 1) {
        collided.add(e.id());
      }
      idsByDigest.computeIfAbsent(e.contentDigest(), k -> new TreeSet<>()).add(e.id());
    }
    Set<String> dupIds = new TreeSet<>();
    long extra = 0;
    for (Map.Entry<String, Integer> c : copies.entrySet()) {
      if (c.getValue() > 1) {
        dupIds.add(c.getKey());
        extra += c.getValue() - 1;
      }
    }
    Set<String> sameContentIds = new TreeSet<>();
    idsByDigest.values().stream().filter(ids -> ids.size() > 1).forEach(sameContentIds::addAll);

    Map<String, Integer> byReason = new TreeMap<>();
    Map<String, Integer> offList = new TreeMap<>();
    Set<String> allowedDead = new TreeSet<>();
    Set<String> deadDocs = new TreeSet<>();
    for (DeadLetter d : sink.deadLetters()) {
      byReason.merge(d.reason(), 1, Integer::sum);
      boolean allowed = in.allowedReasons().contains(d.reason());
      if (!allowed) {
        offList.merge(d.reason(), 1, Integer::sum);
      }
      if (d.docId() != null) {
        deadDocs.add(d.docId() + " " + d.reason());
        if (allowed) {
          allowedDead.add(d.docId());
        }
      }
    }
    Set<String> accounted = new TreeSet<>(docsWithExamples);
    accounted.addAll(allowedDead);
    Set<String> lost = missing(in.expectedDocs(), accounted);
    Set<String> unexpected = missing(docsWithExamples, in.expectedDocs());

    m.put(name + "_records", String.valueOf(sink.examples().size()));
    m.put(name + "_distinct_example_ids", String.valueOf(copies.size()));
    m.put(name + "_distinct_doc_ids", String.valueOf(docsWithExamples.size()));
    m.put(name + "_lost_doc_ids", String.valueOf(lost.size()));
    m.put(name + "_lost_sample", sample(lost));
    m.put(name + "_unexpected_doc_ids", String.valueOf(unexpected.size()));
    m.put(name + "_dup_example_ids", String.valueOf(dupIds.size()));
    m.put(name + "_dup_extra_records", String.valueOf(extra));
    m.put(name + "_ids_with_two_contents", String.valueOf(collided.size()));
    m.put(name + "_ids_sharing_content", String.valueOf(sameContentIds.size()));
    m.put(name + "_dead_letters", String.valueOf(sink.deadLetters().size()));
    m.put(name + "_dead_letters_by_reason", counts(byReason));
    m.put(name + "_dead_letter_docs", sample(deadDocs));

    String where = name.equals("kafka") ? "Kafka" : "the files";
    if (!lost.isEmpty()) {
      problems.add(lost.size() + " documents lost in " + where
          + " (no example, no dead letter with an allowed reason): " + sample(lost));
    }
    if (!unexpected.isEmpty()) {
      problems.add(unexpected.size() + " documents in " + where + " that were never sent: "
          + sample(unexpected));
    }
    if (!offList.isEmpty()) {
      problems.add("dead letters in " + where + " with reasons not allowed for this corpus: "
          + counts(offList));
    }
    // Only Kafka may hold an id twice, and only with the runbook's allowance, as identical copies.
    boolean allowance = name.equals("kafka") && collided.isEmpty()
        && extraSameContent == extra && extra <= in.eosResendAllowed();
    if (!dupIds.isEmpty() && !allowance) {
      problems.add(dupIds.size() + " example ids more than once in " + where + " (" + extra
          + " extra records): " + sample(dupIds));
    }
    if (!collided.isEmpty()) {
      problems.add(collided.size() + " example ids with two different contents in " + where + ": "
          + sample(collided));
    }
    if (!sameContentIds.isEmpty()) {
      problems.add(sameContentIds.size() + " example ids in " + where
          + " share their content with another id (a duplicate under a new id): "
          + sample(sameContentIds));
    }
    return digestById;
  }

  /** The example's identity and a digest of what a trainer sees of it. */
  static Example example(LongContextExample e) {
    return new Example(e.getId(), e.getSourceDocId(), digest(e.getSourceDocId(),
        String.valueOf(e.getKind()), e.getQuestion(), e.getAnswer(), e.getContext(),
        e.getPrompt(), e.getCompletion()));
  }

  /** Hex SHA-256 of the parts, each prefixed by its length (so no two part lists collide). */
  static String digest(String... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        byte[] b = String.valueOf(p).getBytes(StandardCharsets.UTF_8);
        md.update((b.length + ":").getBytes(StandardCharsets.UTF_8));
        md.update(b);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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

  /** "A 3, B 1", or "none". */
  static String counts(Map<String, Integer> byKey) {
    if (byKey.isEmpty()) {
      return "none";
    }
    List<String> l = new ArrayList<>();
    byKey.forEach((k, n) -> l.add(k + " " + n));
    return String.join(", ", l);
  }

  static Set<String> csvSet(String csv) {
    Set<String> s = new TreeSet<>();
    for (String p : csv.split(",")) {
      if (!p.isBlank()) {
        s.add(p.strip());
      }
    }
    return s;
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
          recs.add(new Rec(r.partition(), r.offset(), r.key() == null ? null
              : new String(r.key(), StandardCharsets.UTF_8), r.value(), r.timestamp()));
        }
      }
    }
    return recs;
  }
}
