package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.assemble.ContextAssembler;
import org.in2stream.pipeline.assemble.FillerHardness;
import org.in2stream.pipeline.assemble.LengthDistribution;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The card of an output with random and similar fillers and unanswerable examples. */
class HardnessCardTest {
  @Test
  void showsTheHardnessOfEachSettingAndTheUnanswerableKind(@TempDir Path tmp) throws IOException {
    TextTokenizer tok = TestTexts.tokenizer();
    List<Segment> pool = TestTexts.pool(80, 3);
    List<LongContextExample> examples = new ArrayList<>();
    for (String mode : List.of("random", "similar")) {
      ContextAssembler assembler = new ContextAssembler(tok, TestTexts.settings(tok.spec(),
          LengthDistribution.uniform(2048, 4096), Placement.SHUFFLE, 0)
          .with(FillerHardness.parse(mode, 0, true), 0));
      for (int i = 0; i < 12; i++) {
        Kind kind = i % 4 == 3 ? Kind.UNANSWERABLE : Kind.FINE_GRAINED;
        List<Segment> segs = TestTexts.segments("d" + i, TestTexts.document(40 + i, 8), i);
        QaPair q = QaPair.newBuilder().setRequestKey(mode + i).setKind(Kind.FINE_GRAINED)
            .setDocId("d" + i).setQuestion("Which?").setAnswer("Zarquon Velt")
            .setSegments(List.of(segs.get(0))).setNeededSegmentIndexes(List.of(0))
            .setModel("m").setPromptVersion("p").setSource(TestTexts.source(i)).build();
        examples.add(assembler.assemble(q, kind, pool).example());
      }
    }
    Path out = tmp.resolve("out");
    write(out.resolve("examples/part-0.avro"), examples, LongContextExample.class);
    write(out.resolve("dead-letters/part-0.avro"), List.of(Failures.ofText("ReadDocuments",
        Reason.EMPTY, null, null, TestTexts.source(100), " ")), Failure.class);

    DatasetCard.Figures f = DatasetCard.write(out, out.resolve("card"));
    assertEquals(0, f.violations(), "UNANSWERABLE examples pass their own invariants");
    assertEquals(Map.of(Kind.FINE_GRAINED, 18, Kind.MULTI_SEGMENT, 0, Kind.SHORT_CONTEXT, 0,
        Kind.UNANSWERABLE, 6), f.byKind());

    Map<String, double[]> by = HardnessCard.bySetting(examples);
    assertEquals(List.of("random", "similar"), List.copyOf(by.keySet()));
    assertEquals(12, by.get("random").length);
    assertTrue(HardnessCard.quantile(by.get("similar"), 0.5)
        > HardnessCard.quantile(by.get("random"), 0.5), "similar fillers are harder");

    String md = Files.readString(out.resolve("card/README.md"));
    assertTrue(md.contains("## Filler hardness"), md);
    assertTrue(md.contains("| random | 12 | "), md);
    assertTrue(md.contains("| similar | 12 | "), md);
    assertTrue(md.contains("| UNANSWERABLE | 6 | 25.0% | 0.0% |"), md);
    assertTrue(md.contains("| context tokens | FINE_GRAINED | MULTI_SEGMENT | SHORT_CONTEXT | "
        + "UNANSWERABLE |\n|---|---:|---:|---:|---:|\n"), md);
    long[] hist = HardnessCard.histogram(by.get("random"));
    assertEquals(12, java.util.Arrays.stream(hist).sum());
  }

  @Test
  void thePapersDefaultSaysItRecordedNone() {
    assertTrue(HardnessCard.markdown(List.of()).contains("Not recorded"));
  }

  private static <T extends SpecificRecordBase> void write(Path file, List<T> records,
      Class<T> type) throws IOException {
    Files.createDirectories(file.getParent());
    try (DataFileWriter<T> w = new DataFileWriter<>(new SpecificDatumWriter<>(type))) {
      w.create(records.get(0).getSchema(), new File(file.toString()));
      for (T r : records) {
        w.append(r);
      }
    }
  }
}
