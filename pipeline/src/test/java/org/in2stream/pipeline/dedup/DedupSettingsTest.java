package org.in2stream.pipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.in2stream.pipeline.TestConfigs;
import org.in2stream.pipeline.config.PipelineConfig;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

class DedupSettingsTest {
  @Test
  void defaultsAreSevenDaysAndTheReferenceThresholds() {
    PipelineConfig config = TestConfigs.fromArgs();
    assertEquals(DedupSettings.DEFAULT, config.dedup());
    assertEquals(Duration.standardDays(7), config.dedup().horizon());
    assertEquals(112, config.dedup().documents().minHash().permutations());
    assertEquals(111, DedupSettings.QUESTION_MINHASH.permutations());
    assertEquals(32, DedupSettings.ANSWER_MINHASH.permutations());
    assertTrue(config.dedup().questionsOn(), "question dedup is on by default");
    assertEquals(DedupSettings.DEFAULT_QUESTION_THRESHOLD, config.dedup().questions().threshold());
    assertFalse(TestConfigs.fromArgs("--duplicateQuestionThreshold=0").dedup().questionsOn());
  }

  @Test
  void optionsAreReadAndCheckedWithMessagesNamingThem() {
    PipelineConfig config = TestConfigs.fromArgs("--dedupHorizonHours=2",
        "--nearDuplicateThreshold=0.9", "--duplicateQuestionThreshold=0.7", "--recrawlThreshold=0.5");
    assertEquals(new DedupSettings(2, 0.9, 0.7, 0.5), config.dedup());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TestConfigs.fromArgs("--dedupHorizonHours=-1", "--nearDuplicateThreshold=0",
            "--duplicateQuestionThreshold=1.5", "--recrawlThreshold=-0.1"));
    assertTrue(e.getMessage().contains("--dedupHorizonHours must be >= 0"), e.getMessage());
    assertTrue(e.getMessage().contains("--nearDuplicateThreshold must be in (0, 1]"),
        e.getMessage());
    assertTrue(e.getMessage().contains("--duplicateQuestionThreshold must be 0 (off) or in (0, 1]"),
        e.getMessage());
    assertTrue(e.getMessage().contains("--recrawlThreshold must be 0 (off) or in (0, 1]"),
        e.getMessage());
  }
}
