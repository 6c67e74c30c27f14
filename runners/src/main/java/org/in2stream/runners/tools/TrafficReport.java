package org.in2stream.runners.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.Source;

/**
 * Measures one traffic-profile run ({@code scripts/traffic.sh}): reads the input topic, the
 * examples topic and the dead-letter topic back ({@code read_committed}) and the job's checkpoint
 * statistics (the JSON of Flink's {@code /jobs/:id/checkpoints}), and prints one row: inputs, the
 * share of pages with examples, inputs lost (neither an example nor a dead letter), re-crawl copies
 * that produced examples again, dead letters by reason, p50/p99 latency from a document's Kafka
 * timestamp to the create time of each of its examples, and the state size of the latest completed
 * checkpoint (and the largest one). Every input record is accounted for by its Kafka coordinates;
 * a page's first fetch (by url, else id; earliest timestamp, then partition and offset) is its
 * original, a later fetch of the same page a copy.
 *
 * <p>Pass rule: share of originals with examples &ge; {@code --minShare} (default 0.99), no input
 * lost, no copy with examples. With {@code --docsFile} the row (and the run's settings) replaces the
 * section {@code traffic-<profile>} of that Markdown file ({@link DocSection}). Exit status 0 on
 * pass, 1 on fail, 2 on bad arguments.
 */
public final class TrafficReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrafficReport() {}

  /** One input record: Kafka coordinates, page (url or id), document id, timestamp. */
  record Input(String coords, String page, String docId, long timestamp) {}

  /** One example record: its id, the coordinates of its source document, its create time. */
  record Output(String id, String coords, long sourceTimestamp, long createdMs) {}

  /** One dead letter: source coordinates (may be null), document id (may be null), reason. */
  record Dead(String coords, String docId, String reason) {}

  /** The measured row and the broken rules. */
  record Measured(Map<String, String> row, List<String> problems) {
    boolean passed() {
      return problems.isEmpty();
    }
  }

  /** The row and the pass rule of the class comment; {@code checkpointsJson} may be null. */
  static Measured measure(List<Input> inputs, List<Output> examples, List<Dead> dead,
      String checkpointsJson, double minShare) throws IOException {
    List<Input> ordered = new ArrayList<>(inputs);
    ordered.sort(Comparator.comparingLong(Input::timestamp).thenComparing(Input::coords));
    Set<String> pages = new HashSet<>();
    Set<String> copies = new HashSet<>();
    Map<String, List<String>> coordsByDoc = new HashMap<>();
    for (Input in : ordered) {
      if (!pages.add(in.page())) {
        copies.add(in.coords());
      }
      coordsByDoc.computeIfAbsent(in.docId(), k -> new ArrayList<>()).add(in.coords());
    }
    Set<String> withExamples = new HashSet<>();
    List<Long> latency = new ArrayList<>();
    Map<String, Integer> idCopies = new HashMap<>();
    for (Output o : examples) {
      idCopies.merge(o.id(), 1, Integer::sum);
      withExamples.add(o.coords());
      latency.add(o.createdMs() - o.sourceTimestamp());
    }
    Set<String> deadLettered = new HashSet<>();
    Map<String, Integer> byReason = new TreeMap<>();
    for (Dead d : dead) {
      byReason.merge(d.reason(), 1, Integer::sum);
      if (d.coords() != null) {
        deadLettered.add(d.coords());
      } else if (d.docId() != null) {
        deadLettered.addAll(coordsByDoc.getOrDefault(d.docId(), List.of()));
      }
    }
    int originals = 0;
    int originalsWithExamples = 0;
    int copiesWithExamples = 0;
    int lost = 0;
    List<String> lostSample = new ArrayList<>();
    for (Input in : ordered) {
      boolean has = withExamples.contains(in.coords());
      if (copies.contains(in.coords())) {
        copiesWithExamples += has ? 1 : 0;
      } else {
        originals++;
        originalsWithExamples += has ? 1 : 0;
      }
      if (!has && !deadLettered.contains(in.coords())) {
        lost++;
        if (lostSample.size() < 5) {
          lostSample.add(in.docId() + "@" + in.coords());
        }
      }
    }
    double share = originals == 0 ? 0 : (double) originalsWithExamples / originals;
    Map<String, String> row = new LinkedHashMap<>();
    row.put("inputs", String.valueOf(inputs.size()));
    row.put("pages", String.valueOf(originals));
    row.put("recrawl_copies", String.valueOf(copies.size()));
    row.put("pages_with_examples", String.valueOf(originalsWithExamples));
    row.put("share_with_examples", String.format(Locale.ROOT, "%.4f", share));
    row.put("examples", String.valueOf(examples.size()));
    row.put("copies_with_examples", String.valueOf(copiesWithExamples));
    row.put("inputs_lost", String.valueOf(lost));
    // Not a rule here (the chaos run checks ids): shows copies that collide with their original.
    row.put("example_ids_more_than_once",
        String.valueOf(idCopies.values().stream().filter(n -> n > 1).count()));
    row.put("dead_letters_by_reason", ChaosReport.counts(byReason));
    row.put("latency_p50_s", latency.isEmpty() ? "-" : seconds(pct(latency, 50)));
    row.put("latency_p99_s", latency.isEmpty() ? "-" : seconds(pct(latency, 99)));
    row.putAll(stateSize(checkpointsJson));

    List<String> problems = new ArrayList<>();
    if (share < minShare) {
      problems.add(String.format(Locale.ROOT,
          "share of pages with examples %.4f is below %.2f (%d of %d pages)", share, minShare,
          originalsWithExamples, originals));
    }
    if (lost > 0) {
      problems.add(lost + " inputs with neither an example nor a dead letter: "
          + String.join(" ", lostSample));
    }
    if (copiesWithExamples > 0) {
      problems.add(copiesWithExamples + " re-crawl copies produced examples again");
    }
    return new Measured(row, problems);
  }

  /** Latest completed checkpoint's state size and the largest in the summary, in bytes. */
  static Map<String, String> stateSize(String checkpointsJson) throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    if (checkpointsJson == null || checkpointsJson.isBlank()) {
      m.put("state_bytes_latest", "-");
      m.put("state_bytes_max", "-");
      m.put("checkpoints_completed", "-");
      return m;
    }
    JsonNode root = JSON.readTree(checkpointsJson);
    JsonNode latest = root.path("latest").path("completed");
    m.put("state_bytes_latest", latest.has("state_size") ? latest.get("state_size").asText()
        : "-");
    JsonNode max = root.path("summary").path("state_size").path("max");
    m.put("state_bytes_max", max.isMissingNode() || max.isNull() ? "-" : max.asText());
    m.put("checkpoints_completed", root.path("counts").path("completed").asText("-"));
    return m;
  }

  /**
   * The TaskManager heap figures sampled by the script while the profile ran ({@code PEAK:MAX} in
   * bytes: the largest heap use seen and the heap's maximum size), in MiB; "-" when not sampled.
   */
  static Map<String, String> heap(String peakAndMax) {
    Map<String, String> m = new LinkedHashMap<>();
    String[] parts = peakAndMax == null ? new String[0] : peakAndMax.split(":");
    boolean ok = parts.length == 2 && parts[0].matches("[0-9]+") && parts[1].matches("[0-9]+");
    m.put("tm_heap_peak_mib", ok ? String.valueOf(Long.parseLong(parts[0]) >> 20) : "-");
    m.put("tm_heap_max_mib", ok ? String.valueOf(Long.parseLong(parts[1]) >> 20) : "-");
    return m;
  }

  /** The nearest-rank percentile. */
  static long pct(List<Long> values, int p) {
    List<Long> v = new ArrayList<>(values);
    v.sort(Long::compare);
    return ChaosReport.rank(v, p);
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f", millis / 1000.0);
  }

  /** The Markdown section of one run: settings line, then a one-row table. */
  static String markdown(String profile, String settings, Measured m) {
    Map<String, String> r = m.row();
    StringBuilder sb = new StringBuilder();
    sb.append("Profile `").append(profile).append("`: ").append(settings).append("\n\n");
    sb.append("| inputs | pages | re-crawl copies | pages with examples | share | copies with"
        + " examples | example ids twice | lost | dead letters by reason | latency p50 / p99 (s)"
        + " | state size latest / max (bytes) | TaskManager heap peak / max (MiB) | verdict |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    sb.append("| ").append(String.join(" | ", r.get("inputs"), r.get("pages"),
        r.get("recrawl_copies"), r.get("pages_with_examples"), r.get("share_with_examples"),
        r.get("copies_with_examples"), r.get("example_ids_more_than_once"), r.get("inputs_lost"),
        r.get("dead_letters_by_reason"),
        r.get("latency_p50_s") + " / " + r.get("latency_p99_s"),
        r.get("state_bytes_latest") + " / " + r.get("state_bytes_max"),
        r.getOrDefault("tm_heap_peak_mib", "-") + " / " + r.getOrDefault("tm_heap_max_mib", "-"),
        m.passed() ? "PASS" : "FAIL")).append(" |\n");
    for (String p : m.problems()) {
      sb.append("\n- ").append(p);
    }
    if (!m.problems().isEmpty()) {
      sb.append('\n');
    }
    return sb.toString();
  }

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = new Args(argv, Set.of("bootstrapServers", "inputTopic", "topic", "deadLetterTopic",
          "checkpoints", "minShare", "profile", "settings", "docsFile", "endsOf", "tmHeap"));
      if (args.get("endsOf", null) != null) {
        // For the script's wait: how far the topics' read_committed ends are, summed (cheap).
        System.out.println(endOffsets(args.get("bootstrapServers", "localhost:9092"),
            ChaosReport.csvSet(args.get("endsOf", ""))));
        return;
      }
      args.required("inputTopic");
      args.required("topic");
      args.required("profile");
    } catch (IllegalArgumentException e) {
      System.err.println("traffic-report: " + e.getMessage());
      System.err.println("usage: --bootstrapServers=H:P --inputTopic=I --topic=T --profile=NAME "
          + "[--deadLetterTopic=D] [--checkpoints=FILE.json] [--minShare=0.99] "
          + "[--settings=TEXT] [--docsFile=docs/fault-tests.md] [--tmHeap=PEAK_BYTES:MAX_BYTES]");
      System.exit(2);
      return;
    }
    String servers = args.get("bootstrapServers", "localhost:9092");
    String inputTopic = args.required("inputTopic");
    List<Input> inputs = new ArrayList<>();
    for (ChaosReport.Rec r : ChaosReport.readTopic(servers, inputTopic, "read_committed")) {
      String coords = inputTopic + "/" + r.partition() + "@" + r.offset();
      String docId = coords;
      String page = coords;
      try {
        JsonNode n = JSON.readTree(new String(r.value(), StandardCharsets.UTF_8));
        docId = n.path("id").asText(coords);
        page = n.path("url").asText(docId);
      } catch (IOException e) {
        // not JSON: the record is its own page
      }
      inputs.add(new Input(coords, page, docId, r.timestamp()));
    }
    List<Output> examples = new ArrayList<>();
    for (ChaosReport.Rec r : ChaosReport.readTopic(servers, args.required("topic"),
        "read_committed")) {
      LongContextExample e = LongContextExample.getDecoder().decode(r.value());
      examples.add(new Output(e.getId(), coords(e.getSource()), e.getSource().getTimestamp(),
          r.timestamp()));
    }
    List<Dead> dead = new ArrayList<>();
    String deadTopic = args.get("deadLetterTopic", null);
    if (deadTopic != null) {
      for (ChaosReport.Rec r : ChaosReport.readTopic(servers, deadTopic, "read_committed")) {
        Failure f = Failure.getDecoder().decode(r.value());
        dead.add(new Dead(f.getSource() == null ? null : coords(f.getSource()), f.getDocId(),
            f.getReason()));
      }
    }
    String checkpoints = args.get("checkpoints", null);
    String json = checkpoints != null && Files.isRegularFile(Path.of(checkpoints))
        ? Files.readString(Path.of(checkpoints)) : null;
    Measured m = measure(inputs, examples, dead, json,
        Double.parseDouble(args.get("minShare", "0.99")));
    m.row().putAll(heap(args.get("tmHeap", null)));
    m.row().forEach((k, v) -> System.out.println(k + "\t" + v));
    System.out.println("verdict\t" + (m.passed() ? "PASS" : "FAIL"));
    m.problems().forEach(p -> System.out.println("problem\t" + p));
    String profile = args.required("profile");
    String docsFile = args.get("docsFile", null);
    if (docsFile != null) {
      DocSection.write(Path.of(docsFile), "traffic-" + profile,
          markdown(profile, args.get("settings", ""), m));
    }
    System.exit(m.passed() ? 0 : 1);
  }

  /** The sum of the {@code read_committed} end offsets of the topics' partitions. */
  static long endOffsets(String servers, Set<String> topics) {
    Properties p = new Properties();
    p.put("bootstrap.servers", servers);
    p.put("isolation.level", "read_committed");
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    long sum = 0;
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      for (String t : topics) {
        List<TopicPartition> tps = new ArrayList<>();
        List<PartitionInfo> infos = c.partitionsFor(t, Duration.ofSeconds(30));
        for (PartitionInfo i : infos == null ? List.<PartitionInfo>of() : infos) {
          tps.add(new TopicPartition(t, i.partition()));
        }
        for (long v : c.endOffsets(tps, Duration.ofSeconds(30)).values()) {
          sum += v;
        }
      }
    }
    return sum;
  }

  private static String coords(Source s) {
    return s.getTopic() + "/" + s.getPartition() + "@" + s.getOffset();
  }
}
