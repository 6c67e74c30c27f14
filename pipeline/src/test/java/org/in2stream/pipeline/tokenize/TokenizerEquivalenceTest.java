package org.in2stream.pipeline.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.in2stream.pipeline.TestTexts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java encoding of byte-level BPE {@code tokenizer.json} files gives the same token ids, token
 * char starts and counts as DJL's binding of the Hugging Face library, for Llama 3 and Qwen3, on
 * generated mixed text (about 0.5 MB each; {@code scripts/tokenizer-equivalence.sh} runs 10 MB) and
 * on hand-picked edge cases.
 */
class TokenizerEquivalenceTest {
  private static final List<String> EDGE_CASES = List.of("DON'T", "don'T", "We'Re", "I'M",
      "'\u017F", "x'LL y'vE z'D", "<|begin_of_text|>", "<|begin_of_text|>Hello", "<|eot_id|>",
      "a<|eot_id|>b", "<|im_start|>user\nhi<|im_end|>\n", "<|im_start|><|im_start|>", "<|im_st",
      "<think>\nok\n</think>", "<|endoftext|><|endoftext|>", "12345678901234567890",
      "\u0661\u0662\u0663\u0664", "   ", "\n", "\r\n\r\n", "a  \n\n  b", "x \u00A0 y", "\t\tx",
      " ".repeat(500), "a".repeat(400), "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
      "\uD83E\uDEE8 new emoji", "cafe\u0301", "caf\u00E9", "\u65E5\u672C\u8A9E\u306E\u30C6\u30AD",
      "\uD840\uDC00\uD840\uDC01", "https://example.com/a?b=c&d=e", " ?!", "$$$ 100%", "\u0085x",
      "x\u2028y", "\u3000\u3000z", "end with space ", "end with newline\n");

  static Stream<String> specs() {
    return Stream.of(TestTexts.hfSpec(), TestTexts.qwenSpec());
  }

  @ParameterizedTest
  @MethodSource("specs")
  void javaPathMatchesTheRustLibraryOnMixedText(String spec) {
    assertTrue(TokenizerEquivalence.isJavaPath(Tokenizers.load(spec)), spec);
    List<String> texts = new ArrayList<>(EDGE_CASES);
    texts.addAll(MixedText.documents(15, 200, 2_500));
    TokenizerEquivalence.Result r = TokenizerEquivalence.check(spec, texts);
    assertNull(r.firstMismatch(), r.toString());
    assertEquals(0, r.mismatchedTexts(), r.toString());
    assertTrue(r.tokens() > 100_000, r.toString());
    // The Java path itself encodes most texts (those with a Unicode 15 emoji, and for Qwen's NFC
    // the few with decomposed accents, go to DJL): the comparison is not DJL against itself.
    assertTrue(r.referenceTexts() < r.texts() / 3, r.toString());
  }

  @ParameterizedTest
  @MethodSource("specs")
  void specialTokenStringsAreOneTokenAsInTheRustLibrary(String spec) {
    TextTokenizer tok = Tokenizers.load(spec);
    String special = spec.equals(TestTexts.hfSpec()) ? "<|eot_id|>" : "<|im_start|>";
    assertEquals(1, tok.count(special));
    assertEquals(tok.count("a") + 1 + tok.count("b"), tok.count("a" + special + "b"));
    assertFalse(tok.count(special.substring(0, special.length() - 1)) == 1);
  }

  @ParameterizedTest
  @MethodSource("specs")
  void textsJavaCannotProveAreHandedToTheReference(String spec) {
    ByteLevelBpeTokenizer tok = (ByteLevelBpeTokenizer) Tokenizers.load(spec);
    assertFalse(tok.isExact("shaking face \uD83E\uDEE8"), "U+1FAE8 is not in Java 17's tables");
    assertFalse(tok.isExact("lone \uD800 surrogate"));
    assertTrue(tok.isExact("plain text, \u65E5\u672C, \uD83D\uDE42"));
    assertEquals(spec.equals(TestTexts.qwenSpec()), !tok.isExact("cafe\u0301"),
        "only an NFC tokenizer sends decomposed text to the reference");
  }
}
