package org.in2stream.pipeline.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.in2stream.pipeline.TestTexts;
import org.junit.jupiter.api.Test;

class TokenBudgetTest {
  private static final TextTokenizer TOK = TestTexts.tokenizer();

  @Test
  void chunkedCountMatchesTheWholeCountOnProse() {
    String text = TestTexts.document(5, 1500); // hundreds of K characters: many chunks
    assertTrue(text.length() > 10 * TokenBudget.CHUNK_CHARS);
    assertEquals(TOK.count(text), TokenBudget.countUpTo(TOK, text, Long.MAX_VALUE));
  }

  @Test
  void countingStopsShortlyAfterTheLimit() {
    String text = " a".repeat(1_000_000); // one million tokens
    long counted = TokenBudget.countUpTo(TOK, text, 20_000);
    assertTrue(counted > 20_000 && counted <= 20_000 + TokenBudget.CHUNK_CHARS, "" + counted);
    assertTrue(TokenBudget.exceeds(TOK, text, 20_000));
    assertFalse(TokenBudget.exceeds(TOK, "a few words", 3));
  }
}
