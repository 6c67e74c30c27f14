package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.OutputReport;
import org.in2stream.runners.tools.ProduceDocs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded replay whose filler pool is larger than one of Flink's batch sort buffers. The pool of
 * a window is one record of the pool join (and the bottom-k samples are records of its combine);
 * Flink's batch sorter refuses a record larger than a sort buffer unless its large-record handler
 * is on. The MiniCluster here gets 24 MiB of managed memory (a user's flink configuration, through
 * {@code --flinkConfDir}), which puts the largest sortable record below this corpus's pool; a real
 * TaskManager's larger buffers meet the same wall with a larger corpus (about 600 documents per
 * window with the default 12-window horizon and 20,000-segment pool). In2Main turns the handler on
 * for replays, keeping the user's other settings; with it turned off again the same replay fails.
 */
class LargePoolReplayIT {
  @RegisterExtension
  static final EmbeddedKafka.PerClass kafka = new EmbeddedKafka.PerClass();

  private static String[] args(Path out, Path confDir, String... extra) {
    List<String> all = new ArrayList<>(List.of(
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=pool-docs",
        "--output=" + out,
        "--parallelism=1",
        "--minContextTokens=2048",
        "--maxContextTokens=8192",
        "--flinkConfDir=" + confDir));
    all.addAll(List.of(extra));
    return all.toArray(String[]::new);
  }

  @Test
  void aPoolLargerThanASortBufferIsSortedWithTheLargeRecordHandler(@TempDir Path tmp)
      throws Exception {
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.generate(corpus, 600, 5, false);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "pool-docs", 1);
    long sent = ProduceDocs.produce(kafka.bootstrapServers(), "pool-docs", corpus);
    Path conf = Files.createDirectories(tmp.resolve("conf"));
    Files.writeString(conf.resolve("flink-conf.yaml"), "taskmanager.memory.managed.size: 24m\n");

    // The user's configuration alone: the sort refuses the pool.
    Path conf0 = Files.createDirectories(tmp.resolve("conf-off"));
    Files.writeString(conf0.resolve("flink-conf.yaml"), "taskmanager.memory.managed.size: 24m\n"
        + "taskmanager.runtime.large-record-handler: false\n");
    In2Main.Options off = In2Main.parse(args(tmp.resolve("off"), conf0));
    Throwable failed = assertThrows(RuntimeException.class,
        () -> In2Main.run(off, PipelineConfig.from(off)).waitUntilFinish());
    StringBuilder causes = new StringBuilder();
    for (Throwable c = failed; c != null; c = c.getCause()) {
      causes.append(c.getMessage()).append('\n');
    }
    assertTrue(causes.toString().contains("exceeds the maximum size of a sort buffer"),
        causes.toString());

    // Through In2Main with the same memory: the handler is on, the replay completes.
    In2Main.Options on = In2Main.parse(args(tmp.resolve("on"), conf));
    assertTrue(Files.readString(Path.of(on.getFlinkConfDir()).resolve("flink-conf.yaml"))
        .contains("taskmanager.memory.managed.size: 24m"), "the user's settings are kept");
    assertEquals(PipelineResult.State.DONE,
        In2Main.run(on, PipelineConfig.from(on)).waitUntilFinish());
    OutputReport.Report report = OutputReport.read(tmp.resolve("on"));
    assertEquals(List.of(), report.violations());
    assertEquals(sent, report.inputsAccounted().size());
    assertTrue(report.examples().size() >= sent / 2, "examples: " + report.examples().size());
  }
}
