package org.in2stream.pipeline.synth.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.synth.QaGenerator;
import org.in2stream.pipeline.synth.QaRequest;
import org.in2stream.pipeline.synth.QaResult;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The networked cache against a real {@code redis-server} started for the test. Skipped (reported
 * as such) when no {@code redis-server} is on the PATH (Debian: {@code apt-get install redis-server}).
 */
class RedisResponseCacheTest {
  private static Process redis;
  private static String url;

  @BeforeAll
  static void startRedis(@TempDir Path dir) throws Exception {
    Optional<String> binary = findOnPath("redis-server");
    Assumptions.assumeTrue(binary.isPresent(), "redis-server is not installed");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    redis = new ProcessBuilder(binary.get(), "--port", Integer.toString(port), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    for (int i = 0; i < 100; i++) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        break;
      } catch (java.io.IOException notYet) {
        Thread.sleep(50);
      }
    }
    url = "redis://127.0.0.1:" + port + "/3";
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Optional<String> findOnPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, name);
      if (f.canExecute()) {
        return Optional.of(f.getPath());
      }
    }
    return Optional.empty();
  }

  @Test
  void storesAndReadsBack() throws Exception {
    String key = Hashing.sha256Hex("redis test");
    try (ResponseCache cache = ResponseCaches.open(url)) {
      assertEquals(Optional.empty(), cache.get(key));
      cache.put(key, "{\"x\":\"é\"}".getBytes(StandardCharsets.UTF_8));
    }
    try (ResponseCache again = ResponseCaches.open(url)) {
      assertArrayEquals("{\"x\":\"é\"}".getBytes(StandardCharsets.UTF_8),
          again.get(key).orElseThrow());
      assertEquals(url, again.describe());
    }
  }

  @Test
  void aSecondGeneratorOnTheSameRedisMakesNoCalls() throws Exception {
    List<Segment> segments = TestTexts.segments("redis-doc", TestTexts.document(77, 4), 0);
    try (FakeLlmServer server = FakeLlmServer.start(FakeLlmServer.Config.healthy(0))) {
      List<QaResult> first = new ArrayList<>();
      List<QaResult> second = new ArrayList<>();
      for (List<QaResult> into : List.of(first, second)) {
        try (QaGenerator g = OpenAiQaGenerator.create(LlmTestSupport.settings(server.baseUrl(),
            url, 4, 10_000, 2, null))) {
          for (Segment s : segments) {
            QaRequest r = QaRequest.of(g.model(), g.promptVersion(), g.generationParams(),
                Kind.FINE_GRAINED, "redis-doc", List.of(s));
            into.add(g.generate(r).get(30, TimeUnit.SECONDS));
          }
        }
      }
      assertEquals(segments.size(), server.stats().requests(), "only the first generator called");
      for (int i = 0; i < first.size(); i++) {
        assertTrue(first.get(i).isOk());
        assertTrue(second.get(i).stats().cacheHit());
        assertEquals(first.get(i).question(), second.get(i).question());
        assertEquals(first.get(i).answer(), second.get(i).answer());
      }
    }
  }
}
