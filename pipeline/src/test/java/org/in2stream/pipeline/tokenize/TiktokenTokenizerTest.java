package org.in2stream.pipeline.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TiktokenTokenizerTest {
  private final TextTokenizer tok = Tokenizers.load("tiktoken:cl100k_base");

  @Test
  void loadedOncePerJvm() {
    assertSame(tok, Tokenizers.load("tiktoken:cl100k_base"));
  }

  @Test
  void tokenStartsAgreeWithPrefixCounts() {
    String text = "Héllo wörld — 日本語のテキスト and emoji 🙂🙂 end.\n\nNext paragraph 12345.";
    int[] starts = tok.tokenCharStarts(text);
    assertEquals(tok.count(text), starts.length);
    for (int i = 1; i < starts.length; i++) {
      assertTrue(starts[i] >= starts[i - 1], "non-decreasing");
    }
    // Against jtokkit's own bytes: token i starts inside the character at starts[i].
    Encoding enc = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    IntArrayList ids = enc.encodeOrdinary(text);
    int tokenByte = 0;
    for (int i = 0; i < ids.size(); i++) {
      int charStartByte = text.substring(0, starts[i]).getBytes(StandardCharsets.UTF_8).length;
      int charEndByte = text.substring(0, text.offsetByCodePoints(starts[i], 1))
          .getBytes(StandardCharsets.UTF_8).length;
      assertTrue(charStartByte <= tokenByte && tokenByte < charEndByte,
          "token " + i + " at byte " + tokenByte + " maps to char " + starts[i]);
      IntArrayList one = new IntArrayList();
      one.add(ids.get(i));
      tokenByte += enc.decodeBytes(one).length;
    }
  }

  @Test
  void prefixWithinTokensNeverExceedsTheBudget() {
    String text = "word ".repeat(500) + "日本語".repeat(50);
    for (int budget : new int[] {1, 7, 100, 480, 530}) {
      int cut = tok.prefixWithinTokens(text, budget);
      assertTrue(tok.count(text.substring(0, cut)) <= budget, "budget " + budget);
      assertTrue(cut > 0);
    }
  }

  @Test
  void unknownSpecsAreRejectedWithAHint() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tokenizers.load("tiktoken:nope"));
    assertTrue(e.getMessage().contains("nope"));
    assertTrue(Tokenizers.validate("sentencepiece:x").isPresent());
  }
}
