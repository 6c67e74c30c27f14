package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.eval.ProbeBuilder;
import org.in2stream.pipeline.synth.llm.FakeLlmServer;
import org.in2stream.schema.Document;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Probe;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The predict helper against the fake OpenAI-compatible HTTP server: every probe gets a line, at
 * most --maxInFlight calls are in flight, the fake answers the QA probes from the fenced context,
 * and a second run answers everything from the response cache with no call.
 */
class PredictProbesTest {
  @Test
  void everyProbeIsAskedBoundedAndASecondRunIsServedByTheCache(@TempDir Path tmp)
      throws Exception {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      docs.add(Document.newBuilder().setId("eval-" + i).setText(TestTexts.document(900 + i, 8))
          .setContentSha256("h").setSource(TestTexts.source(i)).build());
    }
    List<QaPair> qa = new ArrayList<>();
    for (Document d : docs.subList(0, 5)) {
      Segment s = TestTexts.segments(d.getId(), d.getText(), 0).get(0);
      String words = String.join(" ", List.of(s.getText().split("\\s+")).subList(0, 4));
      qa.add(QaPair.newBuilder().setRequestKey("rk-" + d.getId()).setKind(Kind.FINE_GRAINED)
          .setDocId(d.getId()).setQuestion("What is stated about \"" + words + "\"?")
          .setAnswer(words).setSegments(List.of(s)).setNeededSegmentIndexes(List.of(0))
          .setModel("m").setPromptVersion("v").setSource(d.getSource()).build());
    }
    List<Probe> probes = new ProbeBuilder(TestTexts.tokenizer(), new ProbeBuilder.Settings(
        List.of(1024, 2048), 4, 1, ProbeBuilder.KINDS, 42, 128, 512), docs, qa).build().probes();
    assertEquals(4 * 2 * 4, probes.size());
    Path dir = tmp.resolve("probes");
    BuildProbes.write(probes, dir);
    Path cache = tmp.resolve("cache");
    Path first = tmp.resolve("first.jsonl");
    Path second = tmp.resolve("second.jsonl");
    PredictProbes.Summary one;
    FakeLlmServer.Stats stats;
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(30)
        .withFaults(0.1, 0.05, 0.05, 0, 0))) {
      String[] args = {"--llmUrl=" + server.baseUrl(), "--llmModel=fake-model",
          "--llmCache=file:" + cache, "--maxInFlight=3", "--llmBackoffBaseMs=20",
          "--llmBackoffMaxMs=200"};
      one = PredictProbes.run(dir, first, PredictProbes.settings(args));
      stats = server.stats();
      long before = stats.requests();
      PredictProbes.Summary two = PredictProbes.run(dir, second, PredictProbes.settings(args));
      assertEquals(before, server.stats().requests(), "the second run made no call");
      assertEquals(probes.size(), two.cacheHits());
    }
    System.out.println("fake server: " + stats + "; " + one);
    assertEquals(probes.size(), one.probes());
    assertEquals(probes.size(), one.answered(), "every probe answered: " + one.failures());
    assertTrue(stats.maxInFlight() <= 3, "calls in flight: " + stats.maxInFlight());
    assertTrue(stats.outcome("429_retry_after") + stats.outcome("429_plain")
        + stats.outcome("500") + stats.outcome("503") > 0, "faults happened: " + stats);
    assertEquals(Files.readString(first), Files.readString(second));

    Map<String, String> predictions = ScoreProbes.readPredictions(first);
    assertEquals(probes.size(), predictions.size());
    // The fake reads the fenced context: for every QA probe it finds the quoted words and
    // answers with the text that follows them, which holds the gold answer (recall 1, F1 > 0).
    for (Probe p : probes) {
      if (p.getKind().equals("qa")) {
        String got = ScoreProbes.normalize(predictions.get(p.getId()));
        assertTrue(got.startsWith(ScoreProbes.normalize(p.getAnswer())),
            p.getId() + ": " + got);
        assertTrue(ScoreProbes.f1(predictions.get(p.getId()), p.getAnswer()) > 0);
      }
    }
  }
}
