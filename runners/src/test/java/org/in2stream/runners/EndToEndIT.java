package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.config.Preflight;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.runners.tools.DatasetCard;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.OutputReport;
import org.in2stream.runners.tools.ProduceDocs;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job against a real Kafka broker, on the Flink runner's embedded MiniCluster: produce a
 * generated corpus (with bad inputs), run bounded with the Llama 3 tokenizer (DJL's native library
 * inside Flink tasks) and stratified placement, read the Avro files back, check every record and write
 * the dataset card.
 */
class EndToEndIT {
  @RegisterExtension
  static final EmbeddedKafka.PerClass kafka = new EmbeddedKafka.PerClass();

  @Test
  void kafkaToAvroOnFlink(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.Summary generated = GenerateCorpus.generate(corpus, 300, 11, true);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "docs", 2);
    long sent = ProduceDocs.produce(kafka.bootstrapServers(), "docs", corpus);
    assertEquals(generated.documents() + generated.badRecords(), sent);
    assertEquals(2, Preflight.checkTopic(kafka.bootstrapServers(), "docs"));

    Path out = tmp.resolve("out");
    In2Main.Options options = In2Main.parse(
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=docs",
        "--output=" + out,
        "--parallelism=2",
        "--numShards=2",
        "--tokenizer=" + TestTexts.hfSpec(),
        "--maxContextTokens=16384", // the Rust tokenizer is ~10x slower than jtokkit: keep CI short
        "--placement=stratified");
    PipelineConfig config = PipelineConfig.from(options);
    PipelineResult result = In2Main.run(options, config);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    OutputReport.Report report = OutputReport.read(out);
    OutputReport.print(report, System.out);
    assertEquals(List.of(), report.violations(), "every record passes the invariants");
    assertEquals(sent, report.inputsAccounted().size(),
        "every record sent ends as an example or a dead letter");

    Map<Kind, Integer> kinds = report.byKind();
    assertTrue(kinds.getOrDefault(Kind.FINE_GRAINED, 0) > 150, kinds.toString());
    assertTrue(kinds.getOrDefault(Kind.MULTI_SEGMENT, 0) > 20, kinds.toString());
    assertTrue(kinds.getOrDefault(Kind.SHORT_CONTEXT, 0) > 5, kinds.toString());

    Map<String, Integer> reasons = report.failuresByReason();
    for (String expected : List.of("EMPTY", "INVALID_UTF8", "INVALID_JSON", "MISSING_TEXT",
        "TOO_SHORT")) {
      assertTrue(reasons.containsKey(expected), "dead letters " + reasons + " lack " + expected);
    }

    Map<String, Long> counters = In2Main.counters(result);
    assertEquals(sent, counters.get("ReadDocuments.records_read"), counters.toString());

    for (LongContextExample e : report.examples()) {
      assertEquals(TestTexts.hfSpec(), e.getTokenizer());
      if (e.getKind() != Kind.SHORT_CONTEXT) {
        assertEquals("stratified", e.getPlacement());
      }
    }
    DatasetCard.Figures card = DatasetCard.write(out, out.resolve("card"));
    assertEquals(report.examples().size(), card.examples());
    assertTrue(Files.size(out.resolve("card").resolve(DatasetCard.DEPTH_BY_LENGTH_PNG)) > 10_000);
    assertTrue(Files.readString(out.resolve("card/README.md")).contains(TestTexts.hfSpec()));
  }
}
