package org.in2stream.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders the report from made-up results: its prose keeps to its tables and says what is missed. */
class BenchReportTest {
  @TempDir
  Path dir;

  private void run(String label, long docs, double seconds, double cpu, long examples,
      long tokens, int p, int max, String counters) throws Exception {
    Files.writeString(dir.resolve("e2e-" + label + ".json"), String.format(java.util.Locale.ROOT,
        "{\"label\":\"%s\",\"state\":\"DONE\",\"seconds\":%s,\"records\":%d,\"examples\":%d,"
            + "\"contextTokens\":%d,\"deadLetters\":0,\"peakHeapBytes\":900000000,"
            + "\"peakLiveAfterGcBytes\":500000000,\"gcSeconds\":1.5,\"gcCount\":100,"
            + "\"processCpuSeconds\":%s,\"maxHeapBytes\":3221225472,\"parallelism\":%d,"
            + "\"maxContextTokens\":%d,\"counters\":{%s}}",
        label, seconds, docs, examples, tokens, cpu, p, max, counters));
  }

  private void results() throws Exception {
    Files.writeString(dir.resolve("jmh.json"), """
        [{"benchmark":"org.in2stream.benchmarks.AssemblyBench.assemble","params":{},
          "primaryMetric":{"score":190.0},
          "secondaryMetrics":{"cpuNanos":{"score":5.2e9},"ops":{"score":1000}}},
         {"benchmark":"org.in2stream.benchmarks.AssemblyBench.encodeOnly","params":{},
          "primaryMetric":{"score":180.0},
          "secondaryMetrics":{"cpuNanos":{"score":5.1e9},"ops":{"score":1000}}}]
        """);
    run("startup-p2", 20, 14.2, 20.3, 20, 100_000, 2, 8192, "");
    run("offline-p1-8k", 9000, 160.3, 250.1, 8990, 54_000_000, 1, 8192, "");
    run("offline-p2-8k", 12000, 170.0, 330.5, 11990, 72_000_000, 2, 8192, "");
    run("offline-p1-32k", 6000, 150.2, 260.7, 5995, 99_000_000, 1, 32768, "");
    run("offline-p2-32k", 8000, 190.9, 360.2, 7990, 132_000_000, 2, 32768, "");
    run("offline-p1-32k-1core", 8000, 300.5, 290.0, 7990, 132_000_000, 1, 32768, "");
    run("offline-p1-8k-1core", 12000, 250.0, 240.0, 11990, 72_000_000, 1, 8192, "");
    Files.writeString(dir.resolve("e2e-cluster-offline-p2-32k.json"), """
        {"label":"cluster-offline-p2-32k","state":"FINISHED","seconds":150.0,"records":8000,
         "examples":7990,"contextTokens":132000000,"deadLetters":0,"processCpuSeconds":280.0,
         "peakHeapBytes":1073741824,"maxHeapBytes":2147483648,"parallelism":2}
        """);
    Files.writeString(dir.resolve("e2e-stream-cluster-p2-32k.json"), """
        {"label":"stream-cluster-p2-32k","state":"CANCELED","seconds":90.0,"documents":3600,
         "processCpuSeconds":170.0,"peakHeapBytes":1610612736,"maxHeapBytes":2147483648,
         "warmupSeconds":30,"inputDocsPerSecond":40.0,"windowSeconds":5,"parallelism":2,
         "checkpointIntervalMillis":10000,"checkpointsCompleted":11,"checkpointsFailed":0,
         "checkpointLastStateBytes":157286400,"checkpointMaxStateBytes":167772160,
         "checkpointAvgMillis":2500.0,"checkpointP90Millis":4000.0,"checkpointMaxMillis":6100.0}
        """);
    run("fakellm-p2-32k", 8000, 200.1, 370.4, 7992, 132_000_000, 2, 32768,
        "\"SynthesizeQa.llm_calls\":8000,\"VerifyQa.llm_calls\":1200,"
            + "\"SynthesizeQa.llm_tokens_in\":9000000,\"SynthesizeQa.llm_tokens_out\":500000");
  }

  @Test
  void renderedProseHasOnlyTableFiguresAndNamesMissedGoals() throws Exception {
    results();
    String md = BenchReport.report(dir, Map.of("llmNote", "L=100 ms, C=32", "seconds", "1100",
        "corpusDocs", "20000", "docsPerWindow", "200", "loadStart", "4.1 3.9 3.0",
        "loadEnd", "4.5 4.2 3.8"));
    assertEquals(List.of(), ProseFigures.check(md), md);
    // 360.2 s CPU / 7990 examples = 45.1 ms against 2 x (5.2 + 5.1): missed, and said so
    assertTrue(md.contains("| 7a |"), md);
    assertTrue(md.contains("**End-to-end CPU per 32K example:** 45.1 ms"), md);
    assertTrue(md.contains("a ratio of 4.38; the goal is at most 2: **missed**"), md);
    // p=2 / p=1 at 32K: (8000 / 190.9) / (6000 / 150.2) = 41.9 / 39.9
    assertTrue(md.contains("p=2 runs 1.05 times as many documents per second"), md);
    // the bound at p=1 unpinned: 2 cores / (260.7 / 150.2 = 1.74 busy) = 1.15 (on a 2-core runner)
    int cores = Runtime.getRuntime().availableProcessors();
    assertTrue(md.contains(String.format(java.util.Locale.ROOT, "%d / 1.74 cores busy at p=1 = "
        + "%.2f", cores, cores / 1.74)), md);
    // per core: (8000 / 190.9 = 41.9) / (8000 / 300.5 = 26.6) = 1.58 at 32K, missed;
    // (12000 / 170.0 = 70.6) / (12000 / 250.0 = 48.0) = 1.47 at 8K
    assertTrue(md.contains("| 7e |"), md);
    assertTrue(md.contains("p=1 runs 26.6 documents per second; p=2 on " + cores
        + " cores runs 1.58 times that; the goal is at least 1.6: **missed**"), md);
    assertTrue(md.contains("| 7f |"), md);
    assertTrue(md.contains("runs 1.47 times that"), md);
    // the standalone cluster: 8000 / 150.0 = 53.3 documents/s, 280.0 / 7990 = 35.0 ms
    assertTrue(md.contains("| 5g | End to end on the standalone cluster"), md);
    assertTrue(md.contains("53.3 documents/s, 53.3 examples/s; CPU 35.0 ms/example"), md);
    // streaming: 3600 / 90.0 = 40.0 documents/s, 170.0 / 3600 = 47.2 ms per document
    assertTrue(md.contains("| 9a | Streaming on the standalone cluster: offline generator, p=2, "
        + "32K, a live stream at a fixed rate (5 s windows), checkpoints every 10 s |"), md);
    assertTrue(md.contains("40.0 documents/s (3600 documents"), md);
    assertTrue(md.contains("CPU 47.2 ms/document"), md);
    assertTrue(md.contains("| input: 40.0 documents/s; row 5d replay: 41.9 documents/s | 1.00 | "
        + ">= 0.95 (keeps up) |"), md);
    assertTrue(md.contains("11 completed, 0 failed; state size of the last 150.0 MiB, largest "
        + "160.0 MiB; end-to-end duration avg 2500 ms, p90 4000 ms, max 6100 ms"), md);
    assertTrue(md.contains("| 9c | TaskManager heap of the streaming job (row 9a) | 1536 MiB"), md);
    // generation and verification calls both counted: 9200 / 7992
    assertTrue(md.contains("1.15 calls per example"), md);
    assertTrue(md.contains("SynthesizeQa, VerifyQa"), md);
    assertTrue(md.contains("1.55M examples (1.1M fine-grained + 300K multi-segment + 150K"), md);
    assertTrue(md.contains("estimated"), md);
    assertFalse(md.contains("{{"), md);
    // start-up 14.2 s is more than a tenth of none of these runs
    assertTrue(md.contains("start-up is at most 0.10 of every end-to-end run"), md);
  }

  @Test
  void aRunWhereStartUpIsMoreThanATenthIsNamed() throws Exception {
    results();
    run("offline-p2-8k", 1000, 30.0, 50.0, 998, 6_000_000, 2, 8192, "");
    String md = BenchReport.report(dir, Map.of());
    assertEquals(List.of(), ProseFigures.check(md), md);
    assertTrue(md.contains("wall time of 5b (0.47): **missed**"), md);
  }
}
