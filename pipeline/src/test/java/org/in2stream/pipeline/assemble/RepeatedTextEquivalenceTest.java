package org.in2stream.pipeline.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link RepeatedText#normalise} gives exactly what the regex rule it replaced gives. */
class RepeatedTextEquivalenceTest {
  private static String byRegex(String text) {
    return RepeatedText.WHITESPACE.matcher(text).replaceAll(" ").trim();
  }

  @Provide
  Arbitrary<String> texts() {
    // Every \s character, other control and Unicode spaces that \s does not match (trim() strips
    // the controls at the ends), and letters.
    return Arbitraries.strings()
        .withChars(' ', '\t', '\n', '\u000B', '\f', '\r', '\u0001', '\u001F', '\u00A0', '\u2003',
            '\u3000', 'a', 'b', 'Z', '.', '\u00E9', '\u4E2D')
        .ofMinLength(0).ofMaxLength(60);
  }

  @Property(tries = 5000)
  void sameAsTheRegex(@ForAll("texts") String text) {
    assertEquals(byRegex(text), RepeatedText.normalise(text));
  }

  @Test
  void edgeCases() {
    for (String t : new String[] {"", " ", "  ", "a", " a", "a ", "a b", "a  b", "a\nb", "\na\n",
        "\u0001 a \u0001", "a \u0001 b", "\u00A0a\u00A0", "a\r\n\r\nb", "surrogate \uD83D\uDE00  x"}) {
      assertEquals(byRegex(t), RepeatedText.normalise(t), "for [" + t + "]");
    }
  }
}
