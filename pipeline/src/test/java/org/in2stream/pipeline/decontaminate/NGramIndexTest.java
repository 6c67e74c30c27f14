package org.in2stream.pipeline.decontaminate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NGramIndexTest {
  private final NGramIndex index = NGramIndex.of(List.of(
      "The committee approved 4,200 new permits for the northern district on Monday morning.",
      "{\"id\": 7, \"text\": \"研究人员测量了三百个样本的温度并记录结果\"}",
      "{\"question\": \"Who won the regional chess final held in the old city hall?\", "
          + "\"answer\": \"Nobody\"}",
      "too short to matter",
      ""));

  @Test
  void countsTextsAndTheirTenGrams() {
    assertEquals(4, index.texts());
    assertEquals(1, index.shortTexts());
    assertTrue(index.size() > 10);
  }

  @Test
  void aSharedTenGramIsFoundWhateverTheCaseAndPunctuation() {
    Optional<String> hit = index.firstOverlap("Unrelated start. THE COMMITTEE approved 4,200 new "
        + "permits -- for the northern district, said officials.");
    assertEquals(Optional.of("the committee approved 4 200 new permits for the northern"), hit);
  }

  @Test
  void nineSharedWordsAreNotAnOverlap() {
    // "4,200" is two words: committee approved 4 200 new permits for the northern = nine
    assertTrue(index.firstOverlap("A committee approved 4,200 new permits for the northern "
        + "region in May").isEmpty());
  }

  @Test
  void chineseCharactersAreWordsSoCjkOverlapsAreFound() {
    assertTrue(index.firstOverlap("新闻：研究人员测量了三百个样本的温度。").isPresent());
    assertTrue(index.firstOverlap("研究人员测量了三百").isEmpty(), "nine characters only");
  }

  @Test
  void jsonLinesWithoutTextUseAllTheirStrings() {
    assertTrue(index.firstOverlap("Reporters asked who won the regional chess final held in "
        + "the old city hall yesterday.").isPresent());
  }
}
