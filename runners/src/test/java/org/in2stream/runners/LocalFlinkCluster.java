package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code scripts/flink-local.sh} for the cluster tests, with their own ports. */
final class LocalFlinkCluster {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private LocalFlinkCluster() {}

  /** {@code flink-local.sh command} with {@code env} added; fails the test unless it exits 0. */
  static void script(String command, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("scripts/flink-local.sh").toString(),
        command).inheritIO();
    pb.environment().putAll(env);
    Process p = pb.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "flink-local.sh " + command + " timed out");
    assertEquals(0, p.exitValue(), "flink-local.sh " + command);
  }
}
