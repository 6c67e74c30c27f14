package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.assemble.ContextAssembler;
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

/** The card of a small output folder written here: its numbers, its Markdown and its PNGs. */
class DatasetCardTest {

  @Test
  void writesMarkdownAndPlotsWhoseNumbersMatchTheFiles(@TempDir Path tmp) throws IOException {
    TextTokenizer tok = TestTexts.tokenizer();
    List<Segment> pool = TestTexts.pool(80, 3);
    ContextAssembler assembler = new ContextAssembler(tok, TestTexts.settings(tok.spec(),
        LengthDistribution.uniform(2048, 12_000), Placement.STRATIFIED, 0));
    List<LongContextExample> examples = new ArrayList<>();
    long tokens = 0;
    for (int i = 0; i < 40; i++) {
      Kind kind = i % 10 == 0 ? Kind.SHORT_CONTEXT : i % 4 == 0 ? Kind.MULTI_SEGMENT
          : Kind.FINE_GRAINED;
      List<Segment> segs = TestTexts.segments("d" + i, TestTexts.document(40 + i, 8), i);
      QaPair q = QaPair.newBuilder().setRequestKey("k" + i)
          .setKind(kind == Kind.MULTI_SEGMENT ? kind : Kind.FINE_GRAINED).setDocId("d" + i)
          .setQuestion("Which?").setAnswer("This.")
          .setSegments(kind == Kind.MULTI_SEGMENT ? segs : List.of(segs.get(0)))
          .setNeededSegmentIndexes(kind == Kind.MULTI_SEGMENT ? List.of(0, 1) : List.of(0))
          .setModel("m").setPromptVersion("p").setSource(TestTexts.source(i)).build();
      LongContextExample e = assembler.assemble(q, kind, pool).example();
      examples.add(e);
      tokens += e.getContextTokens();
    }
    List<Failure> failures = List.of(
        Failures.ofText("ReadDocuments", Reason.EMPTY, null, null, TestTexts.source(100), " "),
        Failures.ofText("SegmentDocuments", Reason.TOO_SHORT, null, "x", TestTexts.source(101),
            "short"),
        Failures.ofText("Decontaminate", Reason.CONTAMINATED, null, "y", TestTexts.source(102),
            "eval text"));
    Path out = tmp.resolve("out");
    write(out.resolve("examples/part-0.avro"), examples, LongContextExample.class);
    write(out.resolve("dead-letters/part-0.avro"), failures, Failure.class);

    Path card = out.resolve("card");
    DatasetCard.Figures f = DatasetCard.write(out, card);

    assertEquals(40, f.examples());
    assertEquals(Map.of(Kind.FINE_GRAINED, 28, Kind.MULTI_SEGMENT, 8, Kind.SHORT_CONTEXT, 4),
        f.byKind());
    assertEquals(tokens, f.contextTokensTotal());
    assertEquals(0, f.violations());
    assertEquals(43, f.inputsAccounted());
    assertEquals(Map.of("CONTAMINATED", 1, "EMPTY", 1, "TOO_SHORT", 1), f.deadLetters());
    long histogramTotal = 0;
    for (long[] byKind : f.lengthHistogram()) {
      for (long c : byKind) {
        histogramTotal += c;
      }
    }
    assertEquals(40, histogramTotal);
    long heat = 0;
    for (long[] column : f.depthByLength()) {
      for (long c : column) {
        heat += c;
      }
    }
    assertEquals(28 + 2 * 8, heat, "one cell count per needed segment of a long context");
    assertEquals(1024, f.lengthBinWidth(), "12K at most: 1K bins");
    assertArrayEquals(new int[] {0, 1024}, new int[] {f.lengthBinStarts()[0],
        f.lengthBinStarts()[1]});

    String md = Files.readString(card.resolve("README.md"));
    assertTrue(md.contains(String.format("| context tokens in total | %,d |", tokens)), md);
    assertTrue(md.contains("| MULTI_SEGMENT | 8 | 20.0% | 19.4% |"), md);
    assertTrue(md.contains("| CONTAMINATED | 1 |"), md);
    assertTrue(md.contains("| placement (long contexts) | stratified |"), md);
    for (String png : List.of(DatasetCard.CONTEXT_LENGTHS_PNG, DatasetCard.DEPTH_BY_LENGTH_PNG,
        DatasetCard.KIND_MIXTURE_PNG, DatasetCard.TOKENS_PNG, DatasetCard.DEAD_LETTERS_PNG)) {
      assertTrue(md.contains("](" + png + ")"), "the card links " + png);
      BufferedImage image = ImageIO.read(card.resolve(png).toFile());
      assertEquals(900, image.getWidth(), png);
      assertEquals(500, image.getHeight(), png);
      assertTrue(distinctColours(image) > 10, png + " has content");
    }
  }

  @Test
  void binWidthsKeepTheHistogramReadableUpTo128K() {
    assertEquals(1024, DatasetCard.binWidth(8_000));
    assertEquals(2048, DatasetCard.binWidth(32_000));
    assertEquals(4096, DatasetCard.binWidth(32_768 + 4_000));
    assertEquals(8192, DatasetCard.binWidth(131_072));
  }

  private static int distinctColours(BufferedImage image) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int x = 0; x < image.getWidth(); x += 3) {
      for (int y = 0; y < image.getHeight(); y += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
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
