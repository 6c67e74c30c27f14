package org.in2stream.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProseFiguresTest {
  private static final String TABLE = """
      | # | benchmark | measured | limit | ratio | goal |
      |---|---|---|---|---|---|
      | 5d | End to end, p=2, 32K | 53.3 examples/s; CPU 30.1 ms/example; 20,000 documents | - | 0.08 | <= 0.10 |
      | 7b | Goal: p=2 vs p=1 | p=2: 60.2 documents/s | p=1: 41.0 documents/s | 1.47 | >= 1.6 |
      """;

  /** The committed document, as the last bench.sh run wrote it, keeps its prose to its tables. */
  @Test
  void committedBenchmarksHasNoProseFigureMissingFromItsTables() throws Exception {
    Path doc = Path.of(System.getProperty("user.dir")).resolve("../docs/BENCHMARKS.md").normalize();
    assertTrue(Files.exists(doc), doc + " is missing");
    List<ProseFigures.Violation> bad = ProseFigures.check(Files.readString(doc));
    assertTrue(bad.isEmpty(), () -> "prose figures of " + doc + " missing from its tables "
        + "(re-run scripts/bench.sh rather than editing figures by hand):\n" + bad);
  }

  @Test
  void proseQuotingTheTableIsAccepted() {
    String doc = TABLE + "\nAt p=2 the job ran 1.47 times as fast as at p=1 (60.2 against 41.0 "
        + "documents/s), below the goal of 1.6; row 5d read 20000 documents, start-up 0.1 of it.\n";
    assertEquals(List.of(), ProseFigures.check(doc));
  }

  @Test
  void aDriftedFigureInTheProseFails() {
    // the table says 1.47; the prose kept an older 1.28
    String doc = TABLE + "\nAt p=2 the job ran 1.28 times as fast as at p=1.\n";
    List<ProseFigures.Violation> bad = ProseFigures.check(doc);
    assertEquals(1, bad.size(), bad::toString);
    assertEquals("1.28", bad.get(0).figure());
    assertEquals(6, bad.get(0).line());
  }

  @Test
  void aChangedGoalInTheProseFails() {
    String doc = TABLE + "\nThe goal is at least 1.8.\n";
    assertEquals("1.8", ProseFigures.check(doc).get(0).figure());
  }

  @Test
  void anUnfilledPlaceholderFails() {
    List<ProseFigures.Violation> bad = ProseFigures.check(TABLE + "\nCPU {{run.cpu}} ms.\n");
    assertEquals("{{run.cpu}}", bad.get(0).figure());
  }

  @Test
  void exemptionsAreDatesTimesVersionsCodeAndNamesOnly() {
    String doc = TABLE + "\nRun of 2026-12-02 16:40 UTC on JVM 17.0.15 with `-Xmx1024m` and "
        + "`--replayTo=0:4000`; cl100k, UTF-8, IN2 and o200k are names.\n"
        + "```\nscripts/bench.sh --docs=999\n```\n";
    assertEquals(List.of(), ProseFigures.check(doc));
    // a bare number glued to nothing is a figure, even a small one
    assertFalse(ProseFigures.check(TABLE + "\nThree runs, 3 of them slow.\n").isEmpty());
  }

  @Test
  void figuresAreComparedByValue() {
    assertEquals(List.of("20000", "0.5", "32", "2", "1.55", "8.3"),
        ProseFigures.figures("20,000 and 0.50 at 32K, p=2, 1.55M, 8.3 %"));
  }

  @Test
  void theTemplateFillsEveryPlaceholderOrRefuses() throws Exception {
    String template = BenchReport.template();
    assertTrue(template.contains("{{table.main}}"));
    assertEquals("a 1 b", BenchReport.fill("a {{x.y}} b", Map.of("x.y", "1")));
    try {
      BenchReport.fill("a {{x.z}} b", Map.of("x.y", "1"));
      throw new AssertionError("an unfilled placeholder was accepted");
    } catch (IllegalStateException expected) {
      assertTrue(expected.getMessage().contains("x.z"));
    }
    // the hand-written method holds no figure of its own
    String method = template.substring(template.indexOf("## Method"));
    assertEquals(List.of(), ProseFigures.check(method));
  }
}
