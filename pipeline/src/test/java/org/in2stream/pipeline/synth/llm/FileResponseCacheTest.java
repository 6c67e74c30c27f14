package org.in2stream.pipeline.synth.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.in2stream.pipeline.util.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileResponseCacheTest {
  @Test
  void storesAndReadsBackUnderTheKeyAndSurvivesReopening(@TempDir Path dir) throws Exception {
    String key = Hashing.sha256Hex("some request");
    FileResponseCache cache = new FileResponseCache(dir);
    assertEquals(Optional.empty(), cache.get(key));
    cache.put(key, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    assertArrayEquals("{\"a\":1}".getBytes(StandardCharsets.UTF_8),
        new FileResponseCache(dir).get(key).orElseThrow());
    assertTrue(Files.exists(dir.resolve(key.substring(0, 2)).resolve(key.substring(2, 4))
        .resolve(key + ".json")));
  }

  @Test
  void concurrentWritersLeaveWholeFilesAndNoTemporaries(@TempDir Path dir) throws Exception {
    FileResponseCache cache = new FileResponseCache(dir);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String key = Hashing.sha256Hex("k" + (i % 50));
      byte[] body = ("body-" + (i % 50)).repeat(1_000).getBytes(StandardCharsets.UTF_8);
      done.add(pool.submit(() -> {
        cache.put(key, body);
        byte[] back = cache.get(key).orElseThrow();
        assertArrayEquals(body, back);
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> all = files.filter(Files::isRegularFile).toList();
      assertEquals(50, all.size(), "one file per key, no temporary left: " + all.size());
    }
  }

  @Test
  void refusesKeysThatAreNotHashes(@TempDir Path dir) throws Exception {
    FileResponseCache cache = new FileResponseCache(dir);
    assertThrows(IllegalArgumentException.class, () -> cache.get("../../etc/passwd"));
  }

  @Test
  void cacheSpecsAreChecked() {
    ResponseCaches.check("none");
    ResponseCaches.check("file:/tmp/x");
    assertThrows(IllegalArgumentException.class, () -> ResponseCaches.check("s3://bucket"));
    assertThrows(IllegalArgumentException.class, () -> ResponseCaches.check("file:"));
    ResponseCaches.check("redis://cache.internal:6379/2");
    assertThrows(IllegalArgumentException.class, () -> ResponseCaches.check("redis://host"));
    assertThrows(IllegalArgumentException.class,
        () -> ResponseCaches.check("redis://user:secret@host:6379"), "passwords never in options");
  }
}
