package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Progress through the stages from Flink REST answers recorded during a replay of 6,005 records
 * (scripts/submit.sh on scripts/flink-local.sh, 2026-12-02; the job detail trimmed to the vertex
 * fields JobStatus reads): the source and the QA stages had ended, assembly had not started.
 */
class ReplayProgressTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode recorded(String name) throws Exception {
    try (InputStream in = ReplayProgressTest.class.getResourceAsStream("/rest/" + name)) {
      return JSON.readTree(in);
    }
  }

  @Test
  void countersOfEndedTasksComeFromBeamsAccumulator() throws Exception {
    Map<String, Double> c = ReplayProgress.parseAccumulators(recorded("replay-accumulators.json"));
    assertEquals(6005.0, c.get("KafkaRangeSource.records_read"));
    assertEquals(6005.0, c.get("ReadDocuments.records_read"));
    assertEquals(6001.0, c.get("ReadDocuments.documents_decoded"));
    assertEquals(4.0, c.get("ReadDocuments.records_failed"));
    assertEquals(6000.0, c.get("SegmentDocuments.documents_segmented"));
    assertEquals(20975.0, c.get("SegmentDocuments.segments"));
    assertEquals(6000.0, c.get("SynthesizeQa.qa_pairs"));
    // the gauge: the replay's size, the same on both splits (not 2 x 6005)
    assertEquals(6005.0, c.get(ReplayProgress.REPLAY_RECORDS));
    // a counter reported by two steps (documents and questions) is summed
    assertEquals(6001.0 + 5995.0, c.get("NearDuplicates.kept"));
  }

  @Test
  void countersOfRunningTasksComeFromTheOperatorMetrics() throws Exception {
    assertEquals(List.of("GroupReduce_(GroupReduce_at_DeduplicateQuestions/NearDuplicateQuestions/"
            + "Buckets/.org_in2stream_pipeline_dedup_NearDuplicates_bucket_sketches",
            "GroupReduce_(GroupReduce_at_DeduplicateQuestions/NearDuplicateQuestions/Buckets/"
            + ".org_in2stream_pipeline_dedup_NearDuplicates_sketches_expired"),
        ReplayProgress.ourMetricIds(recorded("replay-running-vertex-metrics.json")));
    Map<String, Double> running = ReplayProgress.parseRunning(
        recorded("replay-running-vertex-agg.json"));
    assertEquals(Map.of("NearDuplicates.sketches_expired", 6117.0), running);

    Map<String, Double> job = new TreeMap<>(
        ReplayProgress.parseAccumulators(recorded("replay-accumulators.json")));
    ReplayProgress.mergeInto(job, running);
    ReplayProgress.mergeInto(job, Map.of(ReplayProgress.REPLAY_RECORDS, 6005.0));
    assertEquals(222000.0 + 84014.0 + 6117.0, job.get("NearDuplicates.sketches_expired"));
    assertEquals(6005.0, job.get(ReplayProgress.REPLAY_RECORDS));
  }

  @Test
  void stagesOfTheRecordedReplay() throws Exception {
    Map<String, String> states = ReplayProgress.stepStates(recorded("replay-job.json"));
    assertEquals(Map.of("ReadDocuments", "done", "Deduplicate/", "done", "SegmentDocuments",
        "done", "SynthesizeQa", "done", "WriteExamples", "waiting"), states);
    Map<String, Double> c = ReplayProgress.parseAccumulators(recorded("replay-accumulators.json"));
    ReplayProgress.Progress p = ReplayProgress.of(c, 150, states);
    assertEquals(6005.0, p.replayRecords());
    assertEquals(6005.0, p.read());
    Map<String, ReplayProgress.Stage> byName = new TreeMap<>();
    p.stages().forEach(s -> byName.put(s.name(), s));
    assertEquals(List.of("records read from Kafka", "documents decoded", "documents after dedup",
        "documents segmented", "QA requests", "QA pairs generated", "examples out",
        "dead letters"), p.stages().stream().map(ReplayProgress.Stage::name).toList());
    assertEquals(0.0, byName.get("records read from Kafka").etaSeconds());
    assertEquals(6000.0, byName.get("documents segmented").count());
    assertEquals(6000.0 / 6005, byName.get("documents segmented").perRecordRead(), 1e-12);
    assertEquals(40.0, byName.get("QA pairs generated").ratePerSecond(), 1e-12); // 6,000 in 150 s
    assertEquals(0.0, byName.get("QA pairs generated").etaSeconds());
    // nothing assembled yet: no estimate, no ETA, and the job's ETA is only a floor
    assertTrue(Double.isNaN(byName.get("examples out").expectedTotal()));
    assertTrue(Double.isNaN(byName.get("examples out").etaSeconds()));
    assertEquals("waiting", byName.get("examples out").state());
    assertTrue(p.etaIsAFloor());

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ReplayProgress.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), p);
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("replay progress: 6,005 of 6,005 records read (100.0%), input lag "
        + "0 records"), printed);
    assertTrue(printed.matches("(?s).*documents segmented +done +6,000 +0\\.999 +40\\.0 +6,000 "
        + "+done.*"), printed);
    assertTrue(printed.matches("(?s).*examples out +waiting +0 .*"), printed);
  }

  @Test
  void midReadTheEtaComesFromTheReadRateAndEachStageFromItsYield() {
    // 1,500 of 6,000 records after 30 s: 50 records/s, 90 s left to read.
    Map<String, Double> c = Map.of(ReplayProgress.REPLAY_RECORDS, 6000.0,
        "KafkaRangeSource.records_read", 1500.0, "ReadDocuments.documents_decoded", 1490.0,
        "SegmentDocuments.documents_segmented", 600.0, "CountOutputs.examples", 300.0,
        "CountOutputs.dead_letters", 10.0);
    ReplayProgress.Progress p = ReplayProgress.of(c, 30, Map.of("ReadDocuments", "running",
        "SegmentDocuments", "running", "WriteExamples", "running"));
    ReplayProgress.Stage read = p.stages().get(0);
    assertEquals(50.0, read.ratePerSecond(), 1e-12);
    assertEquals(90.0, read.etaSeconds(), 1e-9);
    ReplayProgress.Stage segmented = p.stages().stream()
        .filter(s -> s.name().equals("documents segmented")).findFirst().orElseThrow();
    // yield 0.4 per record read: 2,400 expected, 1,800 left at 20/s = 90 s
    assertEquals(2400.0, segmented.expectedTotal(), 1e-9);
    assertEquals(90.0, segmented.etaSeconds(), 1e-9);
    ReplayProgress.Stage examples = p.stages().stream()
        .filter(s -> s.name().equals("examples out")).findFirst().orElseThrow();
    assertEquals(1200.0, examples.expectedTotal(), 1e-9);
    assertEquals(90.0, examples.etaSeconds(), 1e-9);
    assertEquals(90.0, p.etaSeconds(), 1e-9);

    // A second sample 10 s later: reading slowed to 20/s, examples sped up to 45/s. Each stage's
    // rate is its growth between the samples; its ETA is never before the read's.
    Map<String, Double> later = Map.of(ReplayProgress.REPLAY_RECORDS, 6000.0,
        "KafkaRangeSource.records_read", 1700.0, "ReadDocuments.documents_decoded", 1690.0,
        "SegmentDocuments.documents_segmented", 680.0, "CountOutputs.examples", 750.0,
        "CountOutputs.dead_letters", 12.0);
    ReplayProgress.Progress q = ReplayProgress.of(later, c, 10, 40, Map.of());
    assertEquals(20.0, q.stages().get(0).ratePerSecond(), 1e-12);
    assertEquals(4300.0 / 20, q.stages().get(0).etaSeconds(), 1e-9);
    ReplayProgress.Stage ex = q.stages().stream()
        .filter(s -> s.name().equals("examples out")).findFirst().orElseThrow();
    assertEquals(45.0, ex.ratePerSecond(), 1e-12);
    // yield 750/1700: 2,647 expected, 1,897 left at 45/s = 42 s, but the read needs 215 s
    assertEquals(750.0 / 1700 * 6000, ex.expectedTotal(), 1e-9);
    assertEquals(215.0, ex.etaSeconds(), 1e-9);
  }

  @Test
  void aStreamHasNoEnd() {
    ReplayProgress.Progress p = ReplayProgress.of(Map.of("ReadDocuments.records_read", 100.0,
        "CountOutputs.examples", 20.0), 10);
    assertTrue(Double.isNaN(p.replayRecords()));
    assertEquals(10.0, p.read() / 10);
    assertTrue(p.stages().stream().allMatch(s -> Double.isNaN(s.etaSeconds())));
  }

  @Test
  void varLongsAreLeb128() {
    assertArrayEquals(new long[] {6005}, ReplayProgress.varLongs(new byte[] {(byte) 0xF5, 0x2E}, 1));
    assertArrayEquals(new long[] {0, 300}, ReplayProgress.varLongs(
        new byte[] {0x00, (byte) 0xAC, 0x02}, 2));
  }
}
