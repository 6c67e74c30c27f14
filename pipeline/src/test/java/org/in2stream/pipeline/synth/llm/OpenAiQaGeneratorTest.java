package org.in2stream.pipeline.synth.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.synth.QaGenerator;
import org.in2stream.pipeline.synth.QaRequest;
import org.in2stream.pipeline.synth.QaResult;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator alone against the fake server over real HTTP (no Beam). */
class OpenAiQaGeneratorTest {
  private static List<QaRequest> requests(QaGenerator g, int n) {
    List<QaRequest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Segment> segments = TestTexts.segments("gen-" + i, TestTexts.document(500 + i, 4), i);
      Kind kind = i % 3 == 0 && segments.size() >= 2 ? Kind.MULTI_SEGMENT : Kind.FINE_GRAINED;
      out.add(QaRequest.of(g.model(), g.promptVersion(), g.generationParams(), kind, "gen-" + i,
          kind == Kind.MULTI_SEGMENT ? segments : List.of(segments.get(0))));
    }
    return out;
  }

  private static List<QaResult> runAll(QaGenerator g, List<QaRequest> requests) throws Exception {
    List<CompletableFuture<QaResult>> futures = new ArrayList<>();
    for (QaRequest r : requests) {
      futures.add(g.generate(r));
    }
    List<QaResult> out = new ArrayList<>();
    for (CompletableFuture<QaResult> f : futures) {
      out.add(f.get(60, TimeUnit.SECONDS));
    }
    return out;
  }

  @Test
  void healthyServerGivesGroundedPairsAndCountsTokens(@TempDir Path tmp) throws Exception {
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(5));
        QaGenerator g = OpenAiQaGenerator.create(LlmTestSupport.settings(server.baseUrl(),
            "file:" + tmp.resolve("cache"), 16, 10_000, 3, null))) {
      List<QaRequest> requests = requests(g, 12);
      List<QaResult> results = runAll(g, requests);
      for (int i = 0; i < results.size(); i++) {
        QaResult r = results.get(i);
        assertTrue(r.isOk(), r.failureReason() + ": " + r.failureMessage());
        assertEquals(1, r.stats().calls());
        assertTrue(r.stats().cacheMiss() && r.stats().cacheWrite());
        assertTrue(r.stats().tokensIn() > 100 && r.stats().tokensOut() > 5);
        assertEquals(Math.round(r.stats().tokensIn() * 0.5 + r.stats().tokensOut() * 1.5),
            r.stats().costMicroUsd());
        int minNeeded = requests.get(i).kind() == Kind.MULTI_SEGMENT ? 2 : 1;
        assertTrue(r.neededSegmentIndexes().size() >= minNeeded);
      }
      assertEquals(12, server.stats().outcome("ok"));
    }
  }

  @Test
  void malformedBodiesEachGetTheirReasonAndAreNotRetried(@TempDir Path tmp) throws Exception {
    FakeLlmServer.Config all = FakeLlmServer.Config.healthy(0).withFaults(0, 0, 0, 0, 1.0);
    try (FakeLlmServer server = FakeLlmServer.start(all);
        QaGenerator g = OpenAiQaGenerator.create(LlmTestSupport.settings(server.baseUrl(),
            "file:" + tmp.resolve("cache"), 8, 10_000, 3, null))) {
      Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
      for (QaResult r : runAll(g, requests(g, 40))) {
        assertFalse(r.isOk());
        reasons.merge(r.failureReason(), 1, Integer::sum);
        assertEquals(1, r.stats().calls(), "a malformed answer is final, not retried");
      }
      assertEquals(java.util.Set.of(Reason.LLM_NOT_JSON, Reason.LLM_WRONG_SHAPE,
          Reason.LLM_EMPTY_CHOICES, Reason.LLM_TRUNCATED), reasons.keySet(), reasons.toString());
      assertEquals(40, server.stats().requests());
    }
  }

  @Test
  void fallsBackWhenTheServerRejectsJsonSchema(@TempDir Path tmp) throws Exception {
    FakeLlmServer.Config c = FakeLlmServer.Config.healthy(0).rejectingJsonSchema();
    try (FakeLlmServer server = FakeLlmServer.start(c);
        QaGenerator g = OpenAiQaGenerator.create(LlmTestSupport.settings(server.baseUrl(),
            "none", 1, 10_000, 3, null))) {
      List<QaResult> results = new ArrayList<>();
      for (QaRequest r : requests(g, 5)) { // one at a time: the first one finds out
        results.add(g.generate(r).get(30, TimeUnit.SECONDS));
      }
      results.forEach(r -> assertTrue(r.isOk(), r.failureReason() + " " + r.failureMessage()));
      assertEquals(1, results.get(0).stats().formatFallbacks());
      assertEquals(2, results.get(0).stats().calls());
      assertEquals(1, results.get(4).stats().calls(), "later requests use the fallback at once");
      assertEquals(1, server.stats().outcome("400_response_format"));
    }
  }

  @Test
  void hangsTimeOutAndWrongKeysAreRejectedWithoutLeakingTheKey(@TempDir Path tmp)
      throws Exception {
    String secret = "sk-test-" + "Zq8w3Lr5Tt0Pk2Nh";
    Path keyFile = tmp.resolve("key");
    Files.writeString(keyFile, "sk-wrong-key-0000\n");
    FakeLlmServer.Config c = FakeLlmServer.Config.healthy(0).withApiKey(secret);
    try (FakeLlmServer server = FakeLlmServer.start(c);
        QaGenerator g = OpenAiQaGenerator.create(LlmTestSupport.settings(server.baseUrl(),
            "none", 4, 10_000, 3, keyFile.toString()))) {
      QaResult r = g.generate(requests(g, 1).get(0)).get(30, TimeUnit.SECONDS);
      assertEquals(Reason.LLM_REQUEST_REJECTED, r.failureReason());
      assertEquals(1, r.stats().calls(), "a 401 is not retried");
      assertFalse(r.failureMessage().contains("sk-wrong-key-0000"));
      assertEquals(1, server.stats().unauthorized());
    }
    FakeLlmServer.Config hang = FakeLlmServer.Config.healthy(0).withFaults(0, 0, 0, 1.0, 0);
    try (FakeLlmServer server = FakeLlmServer.start(hang);
        QaGenerator g = OpenAiQaGenerator.create(LlmTestSupport.settings(server.baseUrl(),
            "none", 4, 300, 2, null))) {
      QaResult r = g.generate(requests(g, 1).get(0)).get(30, TimeUnit.SECONDS);
      assertEquals(Reason.LLM_TIMEOUT, r.failureReason(), r.failureMessage());
      assertEquals(3, r.stats().calls(), "first call and two retries");
      assertEquals(3, server.stats().outcome("hang"));
    }
  }
}
