package org.in2stream.pipeline.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.in2stream.pipeline.TestTexts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TextTokenizer#countBeforeLine} against encoding the whole text, for texts that end in
 * punctuation, quotes, slashes, spaces, no-break spaces, tabs and line breaks, before separators of
 * one or more line breaks; and the case that shows why it is not {@code count(text + separator)}.
 * The {@code hf:} files here (Llama 3, Qwen3) take the Java path, which makes the same claims.
 */
class CountBeforeLineTest {
  private static final String[] STARTS = {"", "\"", "'", "(", "7", "\u00A0", "-", "#",
      "\u201C", "\uD83D\uDE42", "\u65E5\u672C", "'s ", "...", "/"};
  private static final String[] ENDS = {".", "?", "!\"", ")", ":", ",", "...", "/", "'", "'s",
      "42", "\u3002", "\uD83D\uDE42", " -", "etc.", ";", "./", ".\u00A0"};
  private static final String[] SEPARATORS = {"\n", "\n\n", "\n\n\n", " \n", "\r\n", ".\n",
      "\n \n", "\t\n"};
  private static final String[] TAILS = {"", " ", "  ", "\n", "\n\n", "\t", "\u00A0", " \n", ".",
      "/", "\u3000", "\r"};

  static Stream<String> specs() {
    return TestTexts.allTokenizerSpecs();
  }

  @ParameterizedTest
  @MethodSource("specs")
  void isWhatTextAndSeparatorTakeInFrontOfALine(String spec) {
    TextTokenizer tok = Tokenizers.load(spec);
    SplittableRandom rng = new SplittableRandom(5);
    int checked = 0;
    for (int i = 0; i < 400; i++) {
      String a = line(rng) + (i % 2 == 0 ? TAILS[rng.nextInt(TAILS.length)] : "");
      String b = line(rng) + (rng.nextInt(4) == 0 ? "\n" + line(rng) : "");
      String sep = SEPARATORS[rng.nextInt(SEPARATORS.length)];
      if (!tok.additiveAfterLineBreak(b)) {
        continue;
      }
      checked++;
      int before = tok.countBeforeLine(a, tok.count(a), sep);
      assertEquals(tok.count(a + sep + b), before + tok.count(b),
          spec + " [" + a + "] [" + sep + "] [" + b + "]");
      // the starts of those tokens are the first starts of the whole text's tokens
      int[] whole = tok.tokenCharStarts(a + sep + b);
      assertArrayEquals(Arrays.copyOf(whole, before), tok.tokenCharStartsBeforeLine(a, sep),
          spec + " starts [" + a + "] [" + sep + "] [" + b + "]");
    }
    if (spec.startsWith(Tokenizers.TIKTOKEN) || TokenizerEquivalence.isJavaPath(tok)) {
      assertTrue(checked > 250, "checked " + checked);
    } else {
      fail(spec + " was expected on the Java path");
    }
    // DJL's path claims no additivity: nothing is known of what the Rust library runs
    TextTokenizer djl = Tokenizers.loadThroughDjl(TestTexts.hfSpec());
    assertFalse(djl.additiveAfterLineBreak("Hello"));
    assertThrows(UnsupportedOperationException.class, () -> djl.countBeforeLine("a", 1, "\n"));
    assertThrows(UnsupportedOperationException.class,
        () -> djl.tokenCharStartsBeforeLine("a", "\n"));
  }

  @ParameterizedTest
  @MethodSource("specs")
  void aBlankLineAtTheEndIsNotAlwaysCountedAsInFrontOfALine(String spec) {
    TextTokenizer tok = Tokenizers.load(spec);
    int before = tok.countBeforeLine("x.", tok.count("x."), "\n\n");
    assertEquals(tok.count("x.\n\nHello"), before + tok.count("Hello"));
    if (spec.contains("50k")) {
      // "\n\n" is one token at the end of a text, but two in front of a line
      assertEquals(tok.count("x.\n\n") + 1, before, spec);
    } else {
      assertEquals(tok.count("x.\n\n"), before, spec);
    }
    assertThrows(IllegalArgumentException.class, () -> tok.countBeforeLine("x", 1, "\n "));
    assertThrows(IllegalArgumentException.class, () -> tok.tokenCharStartsBeforeLine("x", "\n "));
    assertEquals(before, tok.tokenCharStartsBeforeLine("x.", "\n\n").length, spec);
    assertFalse(tok.additiveAfterLineBreak("/x"), "o200k takes a '/' into a line-break piece");
  }

  private static String line(SplittableRandom rng) {
    String body = TestTexts.sentence(rng);
    if (rng.nextInt(3) == 0) {
      body = body + (rng.nextBoolean() ? " " : "\u00A0") + TestTexts.sentence(rng);
    }
    return STARTS[rng.nextInt(STARTS.length)] + body + ENDS[rng.nextInt(ENDS.length)];
  }
}
