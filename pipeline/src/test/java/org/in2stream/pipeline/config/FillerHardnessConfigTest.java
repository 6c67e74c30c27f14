package org.in2stream.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.in2stream.pipeline.TestConfigs;
import org.in2stream.pipeline.assemble.FillerHardness;
import org.junit.jupiter.api.Test;

/** --fillerHardness, --confuserShare, --recordHardness and the fourth --mixture weight. */
class FillerHardnessConfigTest {
  @Test
  void defaultsAreThePapersRandomFillersWithNothingRecordedAndNoUnanswerable() {
    PipelineConfig c = TestConfigs.fromArgs();
    assertEquals(FillerHardness.PAPER, c.fillerHardness());
    assertFalse(c.fillerHardness().measures());
    assertEquals(0.0, c.recipe().mixture().unanswerableShare());
  }

  @Test
  void everyFormIsRead() {
    FillerHardness similar = TestConfigs.fromArgs("--fillerHardness=similar").fillerHardness();
    assertEquals(FillerHardness.Mode.SIMILAR, similar.mode());
    assertTrue(similar.measures());
    FillerHardness mixed = TestConfigs.fromArgs("--fillerHardness=mixed:0.3",
        "--confuserShare=0.2").fillerHardness();
    assertEquals(FillerHardness.Mode.MIXED, mixed.mode());
    assertEquals(0.3, mixed.similarShare());
    assertEquals(0.2, mixed.confuserShare());
    assertTrue(TestConfigs.fromArgs("--recordHardness=true").fillerHardness().measures());
    Mixture m = TestConfigs.fromArgs("--mixture=2:1:1:1").recipe().mixture();
    assertEquals(0.25, m.unanswerableShare(), 1e-12);
    assertEquals(0.2, m.shortContextShare(), 1e-12);
    assertEquals("2:1:1:1", m.toString());
  }

  @Test
  void badValuesAreConfigurationErrorsNamingTheOption() {
    String[][] cases = {
        {"--fillerHardness=hard", "unknown --fillerHardness=hard"},
        {"--fillerHardness=mixed", "unknown --fillerHardness=mixed"},
        {"--fillerHardness=mixed:", "--fillerHardness=mixed:: the share is not a number"},
        {"--fillerHardness=mixed:half", "the share is not a number"},
        {"--fillerHardness=mixed:1.5", "the share must be between 0 and 1"},
        {"--fillerHardness=mixed:-0.1", "the share must be between 0 and 1"},
        {"--fillerHardness=", "unknown --fillerHardness="},
        {"--confuserShare=1.5", "--confuserShare must be between 0 and 1"},
        {"--mixture=1:1:1:-1", "--mixture needs finite weights >= 0"},
        {"--mixture=1:1:1:1:1", "--mixture=1:1:1:1:1 must be FINE:MULTI:SHORT"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TestConfigs.fromArgs(c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " gave: " + e.getMessage());
      if (c[0].startsWith("--fillerHardness")) {
        assertTrue(e.getMessage().contains("use random (the paper), similar, or mixed:<share>"),
            "the message says what to set: " + e.getMessage());
      }
    }
  }
}
