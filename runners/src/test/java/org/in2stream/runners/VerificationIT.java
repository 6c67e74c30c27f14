package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.PipelineResult;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.dedup.DeduplicateQuestions;
import org.in2stream.pipeline.dedup.QuestionDedupFigures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.synth.SynthesizeQa;
import org.in2stream.pipeline.synth.llm.FakeLlmServer;
import org.in2stream.pipeline.synth.llm.FakeModel.Defect;
import org.in2stream.pipeline.verify.Check;
import org.in2stream.pipeline.verify.Tokens;
import org.in2stream.runners.tools.DatasetCard;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.OutputReport;
import org.in2stream.runners.tools.ProduceDocs;
import org.in2stream.runners.tools.VerificationCard;
import org.in2stream.schema.AnswerSegment;
import org.in2stream.schema.EvidenceSpan;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verification chain on the Flink runner, reading a real in-JVM Kafka broker and calling the fake
 * OpenAI-compatible server over HTTP in defect mode. The server labels every generation response
 * ("good" or the defect it planted); the test computes, from those labels and the job's output, the
 * chain's recall per defect kind, the share of good QA it keeps, and its precision per reason code,
 * and prints them as a table. A second run in strict replay mode makes no call and writes the same
 * records.
 */
class VerificationIT {
  private static final Pattern REJECTED = Pattern.compile("([0-9a-f]{64}) ([A-Z_]+)");
  /** A DeduplicateQuestions dead letter: the duplicate's response and the kept QA pair. */
  private static final Pattern DUPLICATE = Pattern.compile(
      "\\(response ([0-9a-f]{64})\\) asks the question of QA [0-9a-f]+@(\\S+) \\(requestKey@docId\\)");
  private static final Pattern WIRE = Pattern.compile("^(wire-\\d+)");
  /** Wire stories, each reposted twice: the near-duplicate questions the fake server plants. */
  private static final int WIRE_STORIES = 14;
  private static final int REPOSTS = 2;
  private static final double MIN_RECALL = 0.95;
  private static final double MIN_GOOD_KEPT = 0.95;

  @RegisterExtension
  static final EmbeddedKafka.PerClass kafka = new EmbeddedKafka.PerClass();

  private static In2Main.Options options(String topic, Path out, String llmUrl, Path cache,
      String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=" + topic,
        "--output=" + out,
        "--parallelism=2",
        "--maxContextTokens=8192",
        "--minContextTokens=2048",
        "--questionsPerDocument=3",
        "--mixture=1:1:0",
        "--generator=openai",
        "--llmUrl=" + llmUrl,
        "--llmModel=fake-model",
        "--llmCache=file:" + cache,
        "--maxInFlight=4",
        "--llmRequestTimeoutMs=5000",
        "--llmRetryBudgetMs=30000",
        "--verify=full",
        "--qaAttempts=2"));
    args.addAll(List.of(extra));
    return In2Main.parse(args.toArray(String[]::new));
  }

  private static Map<String, Long> run(In2Main.Options options) {
    PipelineResult result = In2Main.run(options, PipelineConfig.from(options));
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    return In2Main.counters(result);
  }

  @Test
  void theChainCatchesEveryPlantedDefectKindKeepsGoodQaAndReplaysWithoutACall(@TempDir Path tmp)
      throws Exception {
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.generate(corpus, 220, 31, false);
    Path reposts = tmp.resolve("reposts");
    writeWireStories(tmp.resolve("wire-source"), corpus, reposts);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "verify", 2);
    ProduceDocs.produce(kafka.bootstrapServers(), "verify", corpus);
    ProduceDocs.produce(kafka.bootstrapServers(), "verify", reposts); // later in event time
    Map<Defect, Double> rates = new EnumMap<>(Defect.class);
    for (Defect d : Defect.values()) {
      rates.put(d, d == Defect.SINGLE_PIECE_MULTI ? 0.25 : 0.07);
    }
    Path cache = tmp.resolve("cache");
    Path out = tmp.resolve("out");
    Map<String, Long> counters;
    Map<String, String> labels;
    Map<String, String> questions;
    Map<String, String> answers;
    FakeLlmServer.Stats stats;
    Map<String, Long> kinds;
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(0)
        .withDefects(rates))) {
      counters = run(options("verify", out, server.baseUrl(), cache));
      labels = server.labels();
      questions = server.questions();
      answers = server.answers();
      stats = server.stats();
      kinds = server.requestKinds();
    }
    OutputReport.Report report = OutputReport.read(out);
    assertEquals(List.of(), report.violations());

    // What became of every generation response: accepted (its QA pair reached the assembler) or
    // rejected with a reason (listed on the example of its slot, or in the slot's dead letter).
    Set<String> accepted = new HashSet<>();
    Map<String, String> reasonOf = new HashMap<>();
    Map<String, String> docOf = new HashMap<>(); // response -> document, for QA pairs that were
    // verified (they reached DeduplicateQuestions)
    for (LongContextExample e : report.examples()) {
      if (e.getResponseKey() != null) {
        accepted.add(e.getResponseKey());
        docOf.put(e.getResponseKey(), e.getSourceDocId());
      }
      for (String r : e.getRejectedResponses()) {
        Matcher m = REJECTED.matcher(r);
        assertTrue(m.find(), r);
        reasonOf.put(m.group(1), m.group(2));
      }
    }
    Map<String, String> assemblyFailedQuestions = new HashMap<>();
    int duplicatesNamingTheirStory = 0;
    int duplicateDeadLetters = 0;
    for (Failure f : report.failures()) {
      if (f.getStage().equals(SynthesizeQa.STAGE)) {
        Matcher m = REJECTED.matcher(f.getMessage());
        while (m.find()) {
          reasonOf.put(m.group(1), m.group(2));
        }
      } else if (f.getStage().equals("AssembleContexts")) {
        assemblyFailedQuestions.put(f.getExcerpt(), f.getDocId());
      } else if (f.getStage().equals(DeduplicateQuestions.STAGE)) {
        // Verified, then found to ask an earlier QA pair's question again: the dead letter names
        // its own response and the kept QA pair.
        Matcher earlier = REJECTED.matcher(f.getMessage()); // the slot's rejected attempts
        while (earlier.find()) {
          reasonOf.put(earlier.group(1), earlier.group(2));
        }
        Matcher m = DUPLICATE.matcher(f.getMessage());
        assertTrue(m.find(), f.getMessage());
        assertEquals(Reason.DUPLICATE_QUESTION.name(), f.getReason());
        reasonOf.put(m.group(1), f.getReason());
        docOf.put(m.group(1), f.getDocId());
        duplicateDeadLetters++;
        Matcher own = WIRE.matcher(f.getDocId());
        Matcher kept = WIRE.matcher(m.group(2));
        if (own.find() && kept.find() && own.group(1).equals(kept.group(1))) {
          duplicatesNamingTheirStory++;
        }
      }
    }
    for (Map.Entry<String, String> q : questions.entrySet()) {
      if (!reasonOf.containsKey(q.getKey()) && assemblyFailedQuestions.containsKey(q.getValue())) {
        accepted.add(q.getKey()); // verified, then dead-lettered by the assembler
        docOf.put(q.getKey(), assemblyFailedQuestions.get(q.getValue()));
      }
    }

    Map<String, int[]> byLabel = new TreeMap<>(); // label -> {responses, rejected}
    Map<String, int[]> byReason = new TreeMap<>(); // reason -> {rejected, of them defective}
    Map<String, Map<String, Integer>> caughtBy = new TreeMap<>();
    int unaccounted = 0;
    for (Map.Entry<String, String> l : labels.entrySet()) {
      String key = l.getKey();
      String label = l.getValue();
      boolean rejected = reasonOf.containsKey(key);
      if (!rejected && !accepted.contains(key)) {
        unaccounted++;
      }
      int[] c = byLabel.computeIfAbsent(label, k -> new int[2]);
      c[0]++;
      if (rejected) {
        c[1]++;
        String reason = reasonOf.get(key);
        int[] r = byReason.computeIfAbsent(reason, k -> new int[2]);
        r[0]++;
        if (!label.equals("good")) {
          r[1]++;
        }
        caughtBy.computeIfAbsent(label, k -> new TreeMap<>()).merge(reason, 1, Integer::sum);
      }
    }

    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "%nVerification chain on %d generation responses (--verify=full, --qaAttempts=2)%n"
        + "| response label | planted | rejected | recall / kept | rejected as |%n"
        + "|---|---:|---:|---:|---|%n", labels.size()));
    for (Map.Entry<String, int[]> e : byLabel.entrySet()) {
      int[] c = e.getValue();
      boolean good = e.getKey().equals("good");
      String rate = String.format(Locale.ROOT, good ? "kept %.3f" : "recall %.3f",
          good ? 1 - (double) c[1] / c[0] : (double) c[1] / c[0]);
      table.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s |%n", e.getKey(), c[0],
          c[1], rate, caughtBy.getOrDefault(e.getKey(), Map.of())));
    }
    table.append(String.format(Locale.ROOT, "%n| reason code | rejected | planted defects | "
        + "precision |%n|---|---:|---:|---:|%n"));
    for (Map.Entry<String, int[]> e : byReason.entrySet()) {
      int[] r = e.getValue();
      table.append(String.format(Locale.ROOT, "| %s | %d | %d | %.3f |%n", e.getKey(), r[0], r[1],
          (double) r[1] / r[0]));
    }
    long qaPairs = counters.getOrDefault("SynthesizeQa.qa_pairs", 0L);
    table.append(String.format(Locale.ROOT, "%nLLM calls: %d (generation %d, closed-book %d, "
        + "ablation %d) for %d verified QA pairs and %d examples: %.2f calls per example%n",
        stats.requests(), kinds.getOrDefault("generate", 0L),
        kinds.getOrDefault("closed_book", 0L), kinds.getOrDefault("with_evidence", 0L), qaPairs,
        report.examples().size(), (double) stats.requests() / report.examples().size()));
    System.out.println(table);
    System.out.println("counters: " + counters);

    // The similarity figures of the QA pairs that reached DeduplicateQuestions: a wire story's
    // QA pairs (original and reposts) are the planted pairs, every other pair should be kept.
    List<QuestionDedupFigures.Item> items = new ArrayList<>();
    for (Map.Entry<String, String> d : new TreeMap<>(docOf).entrySet()) {
      Matcher w = WIRE.matcher(d.getValue());
      items.add(new QuestionDedupFigures.Item(d.getKey(), w.find() ? w.group(1) : null,
          questions.get(d.getKey()), answers.get(d.getKey())));
    }
    String figures = QuestionDedupFigures.markdown("VerificationIT (fake server in defect mode, "
        + WIRE_STORIES + " wire stories reposted " + REPOSTS + " times each)", items);
    System.out.println(figures);
    Path generated = Path.of("..", "docs", "generated", "question-dedup-verification.md");
    java.nio.file.Files.createDirectories(generated.getParent());
    java.nio.file.Files.writeString(generated, "<!-- generated by runners/src/test/java/org/"
        + "in2stream/runners/VerificationIT.java; do not edit -->\n" + table + "\n" + figures);

    // Enough of everything was planted, and every response is accounted for.
    assertTrue(labels.size() >= 200, labels.size() + " responses");
    for (Defect d : Defect.values()) {
      int planted = byLabel.getOrDefault(d.label(), new int[2])[0];
      assertTrue(planted >= 20, d + " planted " + planted + " times");
    }
    assertEquals(0, unaccounted, "responses neither accepted nor rejected");
    // The pass rule: every defect kind caught at recall >= 0.95, good QA kept at >= 0.95.
    for (Defect d : Defect.values()) {
      int[] c = byLabel.get(d.label());
      assertTrue((double) c[1] / c[0] >= MIN_RECALL, d + " recall " + c[1] + "/" + c[0]);
    }
    // Every duplicate dead letter names the kept QA pair of its own wire story.
    assertTrue(duplicateDeadLetters > 0);
    assertEquals(duplicateDeadLetters, duplicatesNamingTheirStory);
    int[] good = byLabel.get("good");
    assertTrue(1 - (double) good[1] / good[0] >= MIN_GOOD_KEPT, "good kept " + (good[0] - good[1])
        + "/" + good[0] + "; rejected as " + caughtBy.get("good"));
    // Every call was counted, and the verification calls really happened.
    assertEquals(stats.requests(), counters.get("SynthesizeQa.llm_calls"));
    assertTrue(kinds.getOrDefault("closed_book", 0L) > 0 && kinds.getOrDefault("with_evidence",
        0L) > 0, kinds.toString());
    assertTrue(counters.getOrDefault("SynthesizeQa.regenerated_slots", 0L) > 0);

    // Evidence spans are in the final context's coordinates: inside their answer segment, and
    // together they hold every content word and number of the answer.
    int withEvidence = 0;
    for (LongContextExample e : report.examples()) {
      assertEquals("full", e.getVerifyLevel());
      Set<String> evidenceTokens = new HashSet<>();
      for (AnswerSegment a : e.getAnswerSegments()) {
        assertFalse(a.getEvidence().isEmpty(), e.getId() + " segment " + a.getSegmentIndex());
        for (EvidenceSpan s : a.getEvidence()) {
          assertTrue(a.getCharStart() <= s.getCharStart() && s.getCharEnd() <= a.getCharEnd()
              && s.getCharStart() < s.getCharEnd(), e.getId());
          assertTrue(a.getTokenStart() <= s.getTokenStart() && s.getTokenStart() < s.getTokenEnd()
              && s.getTokenEnd() <= a.getTokenEnd(), e.getId());
          evidenceTokens.addAll(Tokens.all(e.getContext().substring(s.getCharStart(),
              s.getCharEnd())));
          withEvidence++;
        }
      }
      assertTrue(evidenceTokens.containsAll(Tokens.content(e.getAnswer())), e.getId() + ": "
          + e.getAnswer());
      assertTrue(e.getGroundingScore() == 1.0 && e.getClosedBookScore() != null, e.getId());
      if (e.getKind() == Kind.MULTI_SEGMENT) {
        assertTrue(e.getNecessityScore() > 0 && e.getAblationScore() != null, e.getId());
      }
    }
    assertTrue(withEvidence > 0);

    // The dataset card's verification section agrees with the labels' table.
    DatasetCard.write(out, tmp.resolve("card"));
    String card = java.nio.file.Files.readString(tmp.resolve("card").resolve("README.md"));
    System.out.println(card.substring(card.indexOf("## Verification")));
    VerificationCard.Figures vf = VerificationCard.figures(report);
    for (Check c : Check.values()) {
      int rejectedHere = byReason.getOrDefault(c.reason().name(), new int[2])[0];
      assertEquals(rejectedHere, vf.passFail().get(c)[1], c.name());
    }
    assertEquals(report.examples().size(), vf.qaInExamples());

    // A strict rebuild: no call at all, the same records.
    Path out2 = tmp.resolve("out2");
    FakeLlmServer.Stats idle;
    Map<String, Long> replay;
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(0))) {
      replay = run(options("verify", out2, server.baseUrl(), cache, "--llmCacheMode=replay"));
      idle = server.stats();
    }
    assertEquals(0, idle.requests(), "the replay called the server");
    assertEquals(0L, replay.getOrDefault("SynthesizeQa.llm_calls", 0L));
    assertEquals(0L, replay.getOrDefault("SynthesizeQa.failures_LLM_NOT_CACHED", 0L));
    OutputReport.Report second = OutputReport.read(out2);
    assertEquals(new HashSet<>(report.examples()), new HashSet<>(second.examples()));
    assertEquals(new HashSet<>(report.failures()), new HashSet<>(second.failures()));
    assertEquals(report.examples().size(), second.examples().size());
  }

  /**
   * Wire stories the fake server plants near-duplicate questions in: an original (one paragraph of
   * about 120+ words and the line "Distributed by the Kalo wire service, story N.") added to the
   * corpus, and {@link #REPOSTS} reposts of it (the same paragraph, "Reposted from ... story N."
   * and a paragraph of the outlet's own, so the documents stay below the near-duplicate document
   * threshold) written to {@code reposts}, produced later. Each is a single segment, so its one
   * question is asked of the story's paragraph. Texts come from a corpus of another seed, never
   * produced itself.
   */
  private static void writeWireStories(Path source, Path corpus, Path reposts) throws Exception {
    GenerateCorpus.generate(source, WIRE_STORIES * (1 + REPOSTS), 97, false);
    List<String> texts = new ArrayList<>();
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(source)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
        for (String line : java.nio.file.Files.readAllLines(f)) {
          texts.add(JSON.readTree(line).get("text").asText());
        }
      }
    }
    StringBuilder originals = new StringBuilder();
    StringBuilder copies = new StringBuilder();
    String[] outlets = {"Harbor Ledger", "Valley Courier", "Evening Post"};
    for (int k = 0; k < WIRE_STORIES; k++) {
      String story = words(body(texts.get(k)), 120, 170);
      originals.append(jsonLine(String.format(Locale.ROOT, "wire-%02d", k), story
          + "\nDistributed by the Kalo wire service, story " + k + "."));
      for (int r = 1; r <= REPOSTS; r++) {
        String own = words(body(texts.get(WIRE_STORIES * r + k)), 30, 45);
        copies.append(jsonLine(String.format(Locale.ROOT, "wire-%02d-repost-%d", k, r), story
            + "\nReposted from the Kalo wire service by The " + outlets[(k + r) % outlets.length]
            + ", story " + k + ".\n" + own));
      }
    }
    java.nio.file.Files.writeString(corpus.resolve("corpus-wire.jsonl"), originals);
    java.nio.file.Files.createDirectories(reposts);
    java.nio.file.Files.writeString(reposts.resolve("corpus-reposts.jsonl"), copies);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static String jsonLine(String id, String text) throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode n = JSON.createObjectNode();
    n.put("id", id);
    n.put("url", "https://wire.example/" + id);
    n.put("text", text);
    return JSON.writeValueAsString(n) + "\n";
  }

  /** The text after its headline, on one line, without double quotes. */
  private static String body(String text) {
    String[] lines = text.split("\n", 2);
    return (lines.length > 1 ? lines[1] : lines[0]).replace('\n', ' ').replace("\"", "");
  }

  /** The first sentences of {@code text} reaching {@code min} words, cut at {@code max} words. */
  private static String words(String text, int min, int max) {
    String[] w = text.trim().split("\\s+");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < w.length && i < max; i++) {
      out.append(i == 0 ? "" : " ").append(w[i]);
      if (i + 1 >= min && w[i].endsWith(".")) {
        break;
      }
    }
    return out.toString();
  }
}
