package org.in2stream.pipeline.synth.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.synth.QaAttempts;
import org.in2stream.pipeline.synth.QaGenerator;
import org.in2stream.pipeline.synth.QaRequest;
import org.in2stream.pipeline.verify.Level;
import org.in2stream.pipeline.verify.VerifySettings;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Question slots against the fake server over real HTTP: verification calls, attempts, replay. */
class QaAttemptsTest {
  private static LlmSettings settings(String url, Path cache, String mode) {
    LlmSettings s = LlmTestSupport.settings(url, "file:" + cache, 4, 10_000, 2, null);
    return new LlmSettings(s.baseUrl(), s.model(), s.apiKeyEnv(), s.apiKeyFile(), s.temperature(),
        s.maxTokens(), s.seed(), s.extraBody(), s.requestTimeoutMs(), s.maxRetries(),
        s.retryBudgetMs(), s.backoffBaseMs(), s.backoffMaxMs(), s.responseFormat(),
        s.promptVersion(), s.cache(), 0, 0, s.maxInFlight(), s.globalSeed(), mode, null,
        s.contextTokens());
  }

  private static QaRequest request(QaGenerator g, int i, Kind kind) {
    List<Segment> segs = TestTexts.segments("slot-" + i, TestTexts.document(900 + i, 12), i);
    assertTrue(kind == Kind.FINE_GRAINED || segs.size() >= 2, "a multi-segment test document");
    return QaRequest.of(g.model(), g.promptVersion(), g.generationParams(), kind, "slot-" + i,
        kind == Kind.MULTI_SEGMENT ? segs : List.of(segs.get(0)));
  }

  private static List<QaAttempts.Outcome> run(QaGenerator g, Level level, List<QaRequest> rs)
      throws Exception {
    QaAttempts attempts = new QaAttempts(g, VerifySettings.of(level, 2, 1.0));
    List<QaAttempts.Outcome> out = new ArrayList<>();
    for (QaRequest r : rs) {
      out.add(attempts.run(r).get(60, TimeUnit.SECONDS));
    }
    return out;
  }

  @Test
  void goodPairsCostOneVerificationCallPerCheckAndReplaysCostNone(@TempDir Path tmp)
      throws Exception {
    Path cache = tmp.resolve("cache");
    List<QaAttempts.Outcome> first;
    List<QaRequest> requests = new ArrayList<>();
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(0));
        QaGenerator g = OpenAiQaGenerator.create(settings(server.baseUrl(), cache,
            "readwrite"))) {
      requests.add(request(g, 1, Kind.FINE_GRAINED));
      requests.add(request(g, 2, Kind.MULTI_SEGMENT));
      first = run(g, Level.FULL, requests);
      QaAttempts.Outcome fine = first.get(0);
      QaAttempts.Outcome multi = first.get(1);
      assertTrue(fine.result().isOk(), fine.result().failureMessage());
      assertTrue(multi.result().isOk(), multi.result().failureMessage());
      // Fine-grained: generation + closed-book. Multi-segment: + one ablation per cited piece.
      assertEquals(2, fine.stats().calls());
      assertEquals(2 + multi.result().neededSegmentIndexes().size(), multi.stats().calls());
      assertEquals(fine.stats().calls() + multi.stats().calls(), server.stats().requests());
      assertEquals(Map.of("closed_book", 2L, "generate", 2L, "with_evidence",
          (long) multi.result().neededSegmentIndexes().size()), server.requestKinds());
      assertEquals(1.0, fine.scores().grounding());
      assertEquals(0.0, fine.scores().closedBook());
      assertEquals(0.0, multi.scores().ablation());
    }
    // Strict replay: no call at all, the same outcomes; an unknown request is LLM_NOT_CACHED.
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(0));
        QaGenerator g = OpenAiQaGenerator.create(settings(server.baseUrl(), cache, "replay"))) {
      List<QaAttempts.Outcome> again = run(g, Level.FULL, requests);
      for (int i = 0; i < again.size(); i++) {
        assertEquals(first.get(i).result().withStats(again.get(i).result().stats()),
            again.get(i).result());
        assertEquals(first.get(i).scores(), again.get(i).scores());
        assertEquals(0, again.get(i).stats().calls());
      }
      QaAttempts.Outcome missing = run(g, Level.FULL, List.of(request(g, 3, Kind.FINE_GRAINED)))
          .get(0);
      assertEquals(Reason.LLM_NOT_CACHED, missing.result().failureReason());
      assertEquals(0, server.stats().requests());
    }
  }

  @Test
  void aRejectedResponseIsRegeneratedWithItsOwnKeyAndSeed(@TempDir Path tmp) throws Exception {
    Map<org.in2stream.pipeline.synth.llm.FakeModel.Defect, Double> always = Map.of(
        FakeModel.Defect.UNGROUNDED, 1.0);
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(0)
        .withDefects(always));
        QaGenerator g = OpenAiQaGenerator.create(settings(server.baseUrl(),
            tmp.resolve("cache"), "readwrite"))) {
      QaAttempts.Outcome o = run(g, Level.LEXICAL, List.of(request(g, 4, Kind.FINE_GRAINED)))
          .get(0);
      assertFalse(o.result().isOk());
      assertEquals(Reason.NOT_GROUNDED_IN_EVIDENCE, o.result().failureReason());
      assertEquals(2, o.rejected().size(), o.rejected().toString());
      assertEquals(2, server.stats().distinctKeys(), "each attempt has its own key");
      assertEquals(2, o.stats().calls());
      assertNotEquals(OpenAiQaGenerator.attemptSeed(1234L, 0),
          OpenAiQaGenerator.attemptSeed(1234L, 1));
      assertEquals(Map.of("ungrounded", 2L), server.labels().values().stream().collect(
          java.util.stream.Collectors.groupingBy(x -> x, java.util.stream.Collectors.counting())));
    }
  }
}
