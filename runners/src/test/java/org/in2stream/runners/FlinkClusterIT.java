package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.OutputReport;
import org.in2stream.runners.tools.ProduceDocs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar on a real standalone Flink session cluster (a JobManager and a TaskManager process
 * started by scripts/flink-local.sh), submitted the way users submit it: In2Main with a remote
 * --flinkMaster, the slim job jar staged.
 */
class FlinkClusterIT {
  private static final String REST_PORT = "28081";
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
    cluster("start");
  }

  @AfterAll
  static void stop() throws Exception {
    cluster("stop");
    if (kafka != null) {
      kafka.close();
    }
  }

  private static void cluster(String command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("scripts/flink-local.sh").toString(),
        command).inheritIO();
    pb.environment().put("FLINK_REST_PORT", REST_PORT);
    pb.environment().put("FLINK_RPC_PORT", "26123");
    Process p = pb.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "flink-local.sh " + command + " timed out");
    assertEquals(0, p.exitValue(), "flink-local.sh " + command);
  }

  private static String jar(String suffix) throws IOException {
    try (Stream<Path> s = Files.list(ROOT.resolve("runners/target"))) {
      return s.map(Path::toString).filter(n -> n.endsWith(suffix)).findFirst()
          .orElseThrow(() -> new IllegalStateException("no *" + suffix + ": run mvn package"));
    }
  }

  @Test
  void theJobJarRunsOnAStandaloneCluster(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.Summary generated = GenerateCorpus.generate(corpus, 200, 5, true);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "cluster-docs", 2);
    long sent = ProduceDocs.produce(kafka.bootstrapServers(), "cluster-docs", corpus);
    assertEquals(generated.documents() + generated.badRecords(), sent);

    Path out = tmp.resolve("out");
    In2Main.Options options = In2Main.parse(
        "--flinkMaster=localhost:" + REST_PORT,
        "--filesToStage=" + jar("-flink-job.jar"),
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=cluster-docs",
        "--output=" + out.toAbsolutePath(),
        "--numShards=2",
        "--minContextTokens=2048",
        "--maxContextTokens=8192",
        "--parallelism=2");
    PipelineResult result = In2Main.run(options, PipelineConfig.from(options));
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    OutputReport.Report report = OutputReport.read(out);
    OutputReport.print(report, System.out);
    assertEquals(List.of(), report.violations());
    assertEquals(sent, report.inputsAccounted().size());
    assertTrue(report.examples().size() >= 200, "examples: " + report.examples().size());
    assertTrue(new File(out.toFile(), "dead-letters").isDirectory());
  }
}
