package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    LocalFlinkCluster.script(command, Map.of("FLINK_REST_PORT", REST_PORT, "FLINK_RPC_PORT", "26123"));
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

  /**
   * The job jar run the way Flink users run jars: {@code flink run -m host:port} (Flink's own
   * CliFrontend). In2Main keeps {@code [auto]} there, so Beam takes the client's context and the
   * job runs on the cluster (its REST API lists one more finished job), not on a MiniCluster.
   */
  @Test
  void theJobJarRunsThroughFlinksCli(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.Summary generated = GenerateCorpus.generate(corpus, 120, 6, false);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "cli-docs", 2);
    assertEquals(generated.documents(),
        ProduceDocs.produce(kafka.bootstrapServers(), "cli-docs", corpus));
    long finishedBefore = finishedJobs();

    Path conf = Files.createDirectories(tmp.resolve("conf"));
    Files.writeString(conf.resolve("flink-conf.yaml"), "rest.address: localhost\n");
    Path out = tmp.resolve("out");
    Path log = tmp.resolve("cli.log");
    List<String> cmd = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
    cmd.addAll(List.of(System.getProperty("in2.javaOpens", String.join(" ",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED")).split(" ")));
    // The client's class path is a Flink distribution's lib/ (here the one flink-local.sh
    // fetched), not the fat jar: the job jar's own classes load child-first on top of it.
    cmd.addAll(List.of("-cp", ROOT.resolve(".local/flink/lib") + "/*",
        "org.apache.flink.client.cli.CliFrontend",
        "run", "-m", "localhost:" + REST_PORT, "-c", In2Main.class.getName(),
        jar("-flink-job.jar"),
        "--bootstrapServers=" + kafka.bootstrapServers(), "--inputTopic=cli-docs",
        "--output=" + out.toAbsolutePath(), "--minContextTokens=2048", "--maxContextTokens=8192",
        "--parallelism=2"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("FLINK_CONF_DIR", conf.toString());
    Process p = pb.start();
    boolean ended = p.waitFor(10, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    String printed = Files.readString(log);
    System.out.println(printed);
    assertTrue(ended, "flink run did not end within 10 minutes");
    assertEquals(0, p.exitValue(), "flink run exit status");
    assertTrue(printed.contains("Counters:"), "In2Main printed the job's counters");
    assertEquals(finishedBefore + 1, finishedJobs(), "the job ran on the standalone cluster");

    OutputReport.Report report = OutputReport.read(out);
    assertEquals(List.of(), report.violations());
    assertEquals(generated.documents(), report.inputsAccounted().size());
  }

  /** Finished jobs on the cluster, from its REST API. */
  private static long finishedJobs() throws Exception {
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            "http://localhost:" + REST_PORT + "/jobs/overview")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    long n = 0;
    for (com.fasterxml.jackson.databind.JsonNode job : new com.fasterxml.jackson.databind
        .ObjectMapper().readTree(r.body()).path("jobs")) {
      if ("FINISHED".equals(job.path("state").asText())) {
        n++;
      }
    }
    return n;
  }
}
