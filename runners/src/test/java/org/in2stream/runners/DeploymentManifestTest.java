package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.in2stream.pipeline.config.PipelineConfig;
import org.junit.jupiter.api.Test;

/**
 * The Flink Kubernetes Operator manifest of docs/deploy.md ({@code docs/deploy/flink-deployment.yaml}):
 * its job arguments parse into a checked configuration, its entry class is the launcher, and no
 * argument carries a secret (keys and passwords come from Kubernetes secrets as env vars and files).
 */
class DeploymentManifestTest {
  private static final Path MANIFEST = Path.of("..").toAbsolutePath().normalize()
      .resolve("docs/deploy/flink-deployment.yaml");

  /** The items of the {@code job.args} list (one {@code - --name=value} per line). */
  static List<String> jobArgs(List<String> lines) {
    List<String> args = new ArrayList<>();
    boolean inArgs = false;
    int indent = -1;
    for (String line : lines) {
      String t = line.strip();
      if (t.equals("args:")) {
        inArgs = true;
        indent = line.indexOf("args:");
        continue;
      }
      if (inArgs) {
        if (t.startsWith("- ") && line.indexOf('-') >= indent) {
          String v = t.substring(2).strip();
          args.add(v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
        } else if (!t.isEmpty() && !t.startsWith("#")) {
          inArgs = false;
        }
      }
    }
    return args;
  }

  @Test
  void jobArgumentsParseIntoAValidConfiguration() throws Exception {
    List<String> lines = Files.readAllLines(MANIFEST);
    assertTrue(lines.contains("    entryClass: " + In2Main.class.getName()), "entryClass");
    List<String> args = jobArgs(lines);
    assertTrue(args.size() >= 10, "args: " + args);
    In2Main.Options options = In2Main.parse(args.toArray(String[]::new));
    PipelineConfig config = PipelineConfig.from(options);
    assertEquals(PipelineConfig.Mode.STREAM, config.mode());
    assertEquals(PipelineConfig.Generator.OPENAI, config.generator());
    assertEquals("/etc/in2-stream/kafka/client.properties", config.kafkaProperties());
    assertEquals(60_000L, options.getCheckpointingInterval());
    for (String a : args) {
      assertFalse(a.toLowerCase().matches(".*(password|secret|apikey=|api-key).*"),
          "no secret in the job's arguments (they show in the Flink UI): " + a);
    }
  }
}
