package org.in2stream.pipeline.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.in2stream.pipeline.TestTexts;
import org.junit.jupiter.api.Test;

/**
 * The hand-written Llama 3 / Qwen2 splitter against the same patterns run by {@link
 * java.util.regex}, on random strings over the characters each alternative cares about; the regex
 * whitelist; and the two merge loops of {@link ByteLevelBpeTokenizer} against each other.
 */
class PieceSplitterTest {
  private static final String[] ALPHABET = {"a", "Z", "s", "S", "t", "D", "m", "r", "e", "v",
      "l", "L", "'", "\u017F", "\u00E9", "\u65E5", "\uD840\uDC00", "0", "7", "\u0663", "\u00BD",
      "\u2163", " ", " ", "\t", "\n", "\r", "\u00A0", "\u3000", "\u2028", "\u0085", "\u000B", ".",
      ",", "!", "<", "|", ">", "-", "\uD83D\uDE42", "\u0301", "\u200D", "\u0001", "/"};

  @Test
  void handWrittenSplitterCutsAsTheRegexDoes() {
    check(PieceSplitter.Cl100kFamily.LLAMA3, new PieceSplitter.Cl100kFamily(3));
    check(PieceSplitter.Cl100kFamily.QWEN2, new PieceSplitter.Cl100kFamily(1));
  }

  private static void check(String regex, PieceSplitter fast) {
    PieceSplitter slow = new PieceSplitter.Regex(HfRegex.javaPattern(regex));
    SplittableRandom rng = new SplittableRandom(11);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int n = 1 + rng.nextInt(24), k = 0; k < n; k++) {
        sb.append(ALPHABET[rng.nextInt(ALPHABET.length)]);
      }
      String s = sb.toString();
      // a stretch inside a longer text, as between two added tokens
      int from = rng.nextInt(3) == 0 ? 1 : 0;
      int to = s.length() - (rng.nextInt(3) == 0 ? 1 : 0);
      if (from >= to || Character.isLowSurrogate(s.charAt(from))
          || (to < s.length() && Character.isLowSurrogate(s.charAt(to)))) {
        continue; // stretches never cut a surrogate pair: added tokens start with a whole character
      }
      assertEquals(pieces(slow, s, from, to), pieces(fast, s, from, to), "[" + s + "] "
          + from + ".." + to);
    }
  }

  private static List<String> pieces(PieceSplitter splitter, String s, int from, int to) {
    List<String> out = new ArrayList<>();
    splitter.split(s, from, to, (a, b) -> out.add(s.substring(a, b)));
    return out;
  }

  @Test
  void theKnownPatternsAndGpt2sRunInJavaAndOthersDoNot() {
    assertNotNull(HfRegex.javaPattern(PieceSplitter.Cl100kFamily.LLAMA3));
    assertNotNull(HfRegex.javaPattern(PieceSplitter.Cl100kFamily.QWEN2));
    assertNotNull(HfRegex.javaPattern(ByteLevelBpeLoader.GPT2));
    for (String r : new String[] {"a.b", "\\w+", "\\d+", "\\p{Han}+", "(?<=x)y", "^x", "x$",
        "\\bx", "\\h", "[[:alpha:]]", "(?<name>x)", "[a&&b]"}) {
      assertThrows(IllegalArgumentException.class, () -> HfRegex.javaPattern(r), r);
    }
  }

  @Test
  void heapAndRescanMergeLoopsAgree() {
    ByteLevelBpeTokenizer llama = (ByteLevelBpeTokenizer) Tokenizers.load(TestTexts.hfSpec());
    SplittableRandom rng = new SplittableRandom(3);
    String[] parts = {"a", "b", "ab", "the", " ", "  ", "\n", "e", "ing", "\u00E9", "\u65E5", "1",
        "!", "=", "\uD83D\uDE42"};
    for (int i = 0; i < 3_000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int n = 1 + rng.nextInt(30), k = 0; k < n; k++) {
        sb.append(parts[rng.nextInt(parts.length)]);
      }
      byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
      if (bytes.length < 2) {
        continue;
      }
      int[] a = byteIds(llama, sb.toString());
      int[] b = a.clone();
      int na = llama.mergeShort(a, a.length);
      int nb = llama.mergeLong(b, b.length);
      assertArrayEquals(Arrays.copyOf(a, na), Arrays.copyOf(b, nb), sb.toString());
    }
  }

  private static int[] byteIds(ByteLevelBpeTokenizer tok, String text) {
    return tok.byteTokens(text.getBytes(StandardCharsets.UTF_8));
  }
}
