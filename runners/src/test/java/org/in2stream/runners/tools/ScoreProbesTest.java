package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.in2stream.schema.Probe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreProbesTest {
  private static final List<Integer> LENGTHS = List.of(4096, 8192, 16384, 32768);
  private static final List<String> KINDS = List.of("qa", "document", "structured", "needle");

  /** Two probes per kind and cell, the needle at the bin's centre (or one end of it). */
  static List<Probe> grid() {
    List<Probe> out = new ArrayList<>();
    for (String kind : KINDS) {
      for (int length : LENGTHS) {
        for (int bin = 0; bin < 10; bin++) {
          for (int k = 0; k < 2; k++) {
            double depth = k == 0 ? (bin + 0.5) / 10 : (bin + 0.05) / 10;
            out.add(Probe.newBuilder().setId(kind + "-" + length + "-d" + bin + "-" + k)
                .setKind(kind).setContext("...").setQuestion("q?")
                .setAnswer("The Answer of " + kind + " " + bin + ", " + k + ".")
                .setContextTokens(length - 10).setDepth(depth).setLengthBin(length)
                .setDepthBin(bin).setDepthBins(10).setTask("t").setDocIds(List.of("d"))
                .setTokenizer("tiktoken:cl100k_base").setSeed(42).build());
          }
        }
      }
    }
    return out;
  }

  @Test
  void normalisationIsSquads() {
    assertEquals("eiffel tower", ScoreProbes.normalize("  The Eiffel-Tower! "));
    assertEquals(1.0, ScoreProbes.exactMatch("the eiffel tower.", "Eiffel Tower"));
    assertEquals(0.0, ScoreProbes.exactMatch("eiffel", "Eiffel Tower"));
    assertEquals(2 * 0.5 * 1.0 / 1.5, ScoreProbes.f1("eiffel", "Eiffel Tower"), 1e-9);
    assertEquals(0.0, ScoreProbes.f1(null, "x"));
    assertEquals(0.0, ScoreProbes.f1("paris", "Eiffel Tower"));
  }

  @Test
  void goldAnswersScoreOneInEveryCell(@TempDir Path tmp) throws Exception {
    List<Probe> probes = grid();
    Map<String, String> gold = new HashMap<>();
    probes.forEach(p -> gold.put(p.getId(), p.getAnswer().toUpperCase()));
    ScoreProbes.Report r = ScoreProbes.score(probes, gold, 0.5);
    assertEquals(40, r.grid().size());
    for (int length : LENGTHS) {
      for (int bin = 0; bin < 10; bin++) {
        assertEquals(1.0, r.cell(length, bin).em(), length + "/" + bin);
        assertEquals(1.0, r.cell(length, bin).f1(), length + "/" + bin);
        assertEquals(8, r.cell(length, bin).n());
      }
    }
    KINDS.forEach(k -> assertEquals(1.0, r.byKind().get(k).em(), k));
    assertEquals(List.of(), r.flagged());
    ScoreProbes.write(r, tmp, "gold");
    String md = Files.readString(tmp.resolve(ScoreProbes.MARKDOWN));
    assertTrue(md.contains("No cell is below the threshold"), md);
    assertFalse(md.contains("Lost in the middle"), md);
  }

  @Test
  void aLostInTheMiddlePredictorGivesAUAndTheMiddleCellsAreFlagged(@TempDir Path tmp)
      throws Exception {
    List<Probe> probes = grid();
    Map<String, String> predictions = new HashMap<>();
    for (Probe p : probes) {
      boolean edge = p.getDepth() < 0.2 || p.getDepth() > 0.8;
      predictions.put(p.getId(), edge ? p.getAnswer() : "something else entirely");
    }
    predictions.remove(probes.get(0).getId()); // a missing prediction counts, and scores 0
    ScoreProbes.Report r = ScoreProbes.score(probes, predictions, 0.5);
    assertEquals(1, r.missing());
    List<String> middle = new ArrayList<>();
    for (int length : LENGTHS) {
      double[] row = new double[10];
      for (int bin = 0; bin < 10; bin++) {
        row[bin] = r.cell(length, bin).f1();
        if (bin >= 2 && bin <= 7) {
          middle.add(length + "/d" + bin);
        }
      }
      // U: the edges (bins 0, 1, 8, 9) high, every middle bin low, the minimum inside
      for (int bin = 2; bin <= 7; bin++) {
        assertTrue(row[bin] < row[1] && row[bin] < row[8], length + ": " + java.util.Arrays
            .toString(row));
        assertEquals(0.0, row[bin], 1e-9);
      }
      assertTrue(row[1] == 1.0 && row[8] == 1.0 && row[9] == 1.0, java.util.Arrays.toString(row));
      // bin 0 at 4096 lost one prediction of 8: still above the threshold
      assertTrue(row[0] >= 0.875, java.util.Arrays.toString(row));
    }
    assertEquals(middle, r.flagged());
    ScoreProbes.write(r, tmp, "lost in the middle");
    String md = Files.readString(tmp.resolve(ScoreProbes.MARKDOWN));
    assertTrue(md.contains("**Lost in the middle** at context lengths 4096"), md);
    assertTrue(md.contains("| 0.4-0.5 | **0.00 (0.00)** |"), md);
    assertTrue(md.contains("| 0.9-1.0 | 1.00 (1.00) |"), md);
    BufferedImage png = ImageIO.read(tmp.resolve(ScoreProbes.HEATMAP).toFile());
    assertEquals(900, png.getWidth());
    assertEquals(560, png.getHeight());
  }

  @Test
  void predictionsFileNeedsIdsAndPredictions(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("p.jsonl");
    Files.writeString(f, "{\"id\":\"a\",\"prediction\":\"x\"}\n{\"id\":\"b\",\"prediction\":null}\n");
    Map<String, String> p = ScoreProbes.readPredictions(f);
    assertEquals("x", p.get("a"));
    assertTrue(p.containsKey("b") && p.get("b") == null);
    Files.writeString(f, "{\"id\":\"a\"}\n");
    assertTrue(org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> ScoreProbes.readPredictions(f)).getMessage().contains(":1:"));
  }
}
