package org.in2stream.pipeline.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic mixed text for checking a tokenizer against its reference: news-like prose, code,
 * CJK, other scripts (combining marks, NFC and NFD), emoji (skin tones, ZWJ sequences, flags, a
 * character newer than Java's Unicode tables), whitespace runs (spaces, tabs, CR LF, no-break and
 * ideographic spaces, long runs), special-token strings whole, partial and glued to words, numbers of
 * many digits in several scripts, contractions in odd case, long unbroken strings and control
 * characters. The same seed gives the same documents.
 */
public final class MixedText {
  private static final String[] WORDS = {"the", "council", "approved", "a", "budget", "of", "for",
      "new", "bridges", "and", "said", "that", "officials", "would", "report", "in", "March",
      "residents", "Minister", "economy", "growth", "percent", "announced", "Tuesday", "police",
      "investigation", "ongoing", "however", "spokesperson", "Reuters", "AI", "NASA", "U.S.",
      "e-mail", "state-of-the-art", "naïve", "café", "résumé", "Zürich", "São", "Paulo", "GmbH",
      "co-operate", "well", "known", "THE", "Is", "iPhone", "McDonald", "O'Neil", "rock'n'roll"};
  private static final String[] CONTRACTIONS = {"don't", "DON'T", "Don'T", "we're", "WE'RE",
      "We'Re", "I'M", "i'm", "they'VE", "you'll", "YOU'LL", "she'd", "SHE'D", "it's", "IT'S",
      "It'S", "'tis", "'TIS", "y'all", "'\u017Fup", "can't", "won'T", "o'clock", "'re", "'LL", "''s"};
  private static final String[] PUNCT = {".", ",", ";", ":", "!", "?", "...", " -", " --",
      " \u2014", "\u2026", "\"", "'", "(", ")", "[", "]", "\u201C", "\u201D", "\u00AB", "\u00BB",
      "%", "$", "\u20AC", "#", "&", "*", "/", "\\", "@", "~", "`", "^", "|", "<", ">", "=", "+"};
  private static final String[] SPACES = {" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\n\n\n",
      "\r\n", "\r\n\r\n", " \n", "  \n ", "\n \n", "\u00A0", "\u3000", "\u2009", "\u202F",
      " \u00A0 ", "\t \n", "\u000B", "\u000C", "\u0085", "\u2028", "\u2029", "\r", " \r\n\t"};
  private static final String[] SPECIAL = {"<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>",
      "<|start_header_id|>", "<|end_header_id|>", "<|reserved_special_token_7|>", "<|im_start|>",
      "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<tool_call>", "<|fim_prefix|>",
      "<|eot_id", "<|im_start>", "<|begin_of_text|", "|>", "<|", "<|im_start|><|im_end|>",
      "<|eot_id|><|eot_id|>", "<<|eot_id|>>", "<|im_start|>user\n", "<|im_start|>assistant\n"};
  private static final String[] EMOJI = {"\uD83D\uDE00", "\uD83D\uDE42", "\uD83D\uDC4D\uD83C\uDFFD",
      "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "\uD83C\uDDE9\uD83C\uDDEA", "\u2764\uFE0F",
      "\uD83E\uDD16", "\u2705", "\uD83D\uDE80\uD83D\uDE80\uD83D\uDE80", "\u263A",
      "\uD83C\uDF89"};
  /**
   * Rare on purpose (a text holding one is encoded by the reference, so it does not test the Java
   * path): a character newer than Java 17's Unicode tables, and text that NFC changes.
   */
  private static final String[] RARE = {"\uD83E\uDEE8" /* U+1FAE8, Unicode 15 */,
      "cafe\u0301 nai\u0308ve e\u0301te\u0301 ", "\u1100\u1161\u11A8 ",
      "A\u030A\u0301 \u212B \u2126 ",
      "\u05E9\u05C1\u05B8\u05DC\u05D5\u05B9\u05DD "};
  private static final String[] CODE = {
      "public static int count(String text) {\n    return text.isEmpty() ? 0 : 42;\n}\n",
      "def tokenize(s: str) -> list[int]:\n\tif not s:\n\t\treturn []\n\treturn [ord(c) for c in s]\n",
      "for (int i = 0; i < n; i++) { sum += a[i] * b[i]; } // dot product\n",
      "<div class=\"row\"><span id='x1'>Hello &amp; bye</span></div>\n",
      "SELECT id, COUNT(*) FROM events WHERE ts >= '2024-01-01' GROUP BY id;\n",
      "Map<String, List<Integer>> m = new HashMap<>(); m.put(\"k\", List.of(1, 2, 3));\n",
      "    if x != y:\n        raise ValueError(f\"bad {x!r}\")\n\n\n",
      "#include <stdio.h>\nint main(){printf(\"%d\\n\", 0x7fffffff);}\n",
      "x<|y|>z; a <| b |> c; if (p <|> q) {}\n",
      "{\"id\": 12345678901234567890, \"ok\": true, \"tags\": [\"a\", \"b\"]}\n",
      "https://example.com/path/to/page?query=1&lang=en#section-2\n",
      "$ ./run.sh --threads=8 --out=/tmp/out 2>&1 | tee log.txt\n"};

  private MixedText() {}

  /** Documents of about {@code chars} characters each, {@code count} of them, from {@code seed}. */
  public static List<String> documents(long seed, int count, int chars) {
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(document(new SplittableRandom(seed * 1_000_003L + i), chars));
    }
    return out;
  }

  /** One document of about {@code chars} characters. */
  public static String document(SplittableRandom rng, int chars) {
    StringBuilder sb = new StringBuilder(chars + 200);
    while (sb.length() < chars) {
      int kind = rng.nextInt(100);
      if (kind < 40) {
        prose(rng, sb);
      } else if (kind < 52) {
        sb.append(CODE[rng.nextInt(CODE.length)]);
      } else if (kind < 60) {
        cjk(rng, sb);
      } else if (kind < 66) {
        otherScripts(rng, sb);
      } else if (kind < 71) {
        sb.append(EMOJI[rng.nextInt(EMOJI.length)]);
        if (rng.nextBoolean()) {
          sb.append(WORDS[rng.nextInt(WORDS.length)]);
        }
      } else if (kind < 79) {
        whitespace(rng, sb);
      } else if (kind < 85) {
        String s = SPECIAL[rng.nextInt(SPECIAL.length)];
        if (rng.nextBoolean()) {
          sb.append(WORDS[rng.nextInt(WORDS.length)]).append(s)
              .append(WORDS[rng.nextInt(WORDS.length)]);
        } else {
          sb.append(s);
        }
      } else if (kind < 91) {
        numbers(rng, sb);
      } else if (kind < 96) {
        sb.append(CONTRACTIONS[rng.nextInt(CONTRACTIONS.length)]).append(' ');
      } else {
        odd(rng, sb);
      }
    }
    return sb.toString();
  }

  private static void prose(SplittableRandom rng, StringBuilder sb) {
    int n = 5 + rng.nextInt(25);
    for (int i = 0; i < n; i++) {
      int k = rng.nextInt(20);
      if (k == 0) {
        sb.append(CONTRACTIONS[rng.nextInt(CONTRACTIONS.length)]);
      } else if (k == 1) {
        sb.append(rng.nextInt(100_000));
      } else {
        String w = WORDS[rng.nextInt(WORDS.length)];
        sb.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
      }
      if (rng.nextInt(6) == 0) {
        sb.append(PUNCT[rng.nextInt(PUNCT.length)]);
      }
      sb.append(i + 1 < n ? " " : ". ");
    }
    if (rng.nextInt(3) == 0) {
      sb.append(rng.nextBoolean() ? "\n" : "\n\n");
    }
  }

  private static void cjk(SplittableRandom rng, StringBuilder sb) {
    int n = 5 + rng.nextInt(40);
    for (int i = 0; i < n; i++) {
      int k = rng.nextInt(10);
      if (k < 5) {
        sb.appendCodePoint(0x4E00 + rng.nextInt(0x9FFF - 0x4E00));
      } else if (k < 7) {
        sb.appendCodePoint(0x3041 + rng.nextInt(0x3096 - 0x3041));
      } else if (k < 8) {
        sb.appendCodePoint(0x30A1 + rng.nextInt(0x30FA - 0x30A1));
      } else if (k < 9) {
        sb.appendCodePoint(0xAC00 + rng.nextInt(0xD7A3 - 0xAC00));
      } else {
        sb.append("\u3002\u3001\u300C\u300D\uFF01\uFF1F\uFF08\uFF09".charAt(rng.nextInt(8)));
      }
    }
    if (rng.nextInt(8) == 0) {
      sb.appendCodePoint(0x20000 + rng.nextInt(0xA6D6)); // CJK extension B, outside the BMP
    }
  }

  private static void otherScripts(SplittableRandom rng, StringBuilder sb) {
    String[] samples = {"\u041F\u0440\u0438\u0432\u0435\u0442, \u043C\u0438\u0440! ",
        "\u039A\u03B1\u03BB\u03B7\u03BC\u03AD\u03C1\u03B1 \u03BA\u03CC\u03C3\u03BC\u03B5. ",
        "\u0645\u0631\u062D\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 ",
        "\u0928\u092E\u0938\u094D\u0924\u0947 \u0926\u0941\u0928\u093F\u092F\u093E ",
        "\u0E2A\u0E27\u0E31\u0E2A\u0E14\u0E35\u0E0A\u0E32\u0E27\u0E42\u0E25\u0E01 ",
        "Ti\u1EBFng Vi\u1EC7t c\u00F3 d\u1EA5u ", "\u0915\u094D\u0937 \u0E01\u0E33 ",
        "\uFB01nance \uFB02ow \u017Fs ", "\u00C5ngstr\u00F6m \u00DF STRASSE "};
    sb.append(samples[rng.nextInt(samples.length)]);
  }

  private static void whitespace(SplittableRandom rng, StringBuilder sb) {
    int k = rng.nextInt(10);
    if (k == 0) {
      sb.append(" ".repeat(20 + rng.nextInt(300)));
    } else if (k == 1) {
      sb.append("\n".repeat(3 + rng.nextInt(60)));
    } else if (k == 2) {
      sb.append("\t".repeat(2 + rng.nextInt(30))).append("x");
    } else {
      int n = 1 + rng.nextInt(4);
      for (int i = 0; i < n; i++) {
        sb.append(SPACES[rng.nextInt(SPACES.length)]);
      }
    }
  }

  private static void numbers(SplittableRandom rng, StringBuilder sb) {
    int k = rng.nextInt(8);
    if (k == 0) {
      for (int i = 0, n = 5 + rng.nextInt(40); i < n; i++) {
        sb.append((char) ('0' + rng.nextInt(10)));
      }
    } else if (k == 1) {
      sb.append(rng.nextInt(1000)).append(',').append(100 + rng.nextInt(900)).append('.')
          .append(rng.nextInt(100));
    } else if (k == 2) {
      sb.append("\u0661\u0662\u0663\u0664\u0665 \uFF11\uFF12\uFF13\uFF14 \u00BD\u00B2\u2163\u216B ");
    } else if (k == 3) {
      sb.append("3.14159265358979323846 ");
    } else if (k == 4) {
      sb.append('+').append(rng.nextLong()).append(' ');
    } else {
      sb.append(" ").append(rng.nextInt(10_000_000)).append(rng.nextBoolean() ? "%" : "km");
    }
  }

  private static void odd(SplittableRandom rng, StringBuilder sb) {
    int k = rng.nextInt(7);
    if (k == 6 && rng.nextInt(6) == 0) {
      sb.append(RARE[rng.nextInt(RARE.length)]);
    } else if (k == 0) {
      StringBuilder b = new StringBuilder();
      for (int i = 0, n = 60 + rng.nextInt(300); i < n; i++) {
        b.append("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            .charAt(rng.nextInt(64)));
      }
      sb.append(b).append("== ");
    } else if (k == 1) {
      sb.append("a".repeat(10 + rng.nextInt(200))).append(' ');
    } else if (k == 2) {
      sb.append("!".repeat(3 + rng.nextInt(80))).append("?".repeat(rng.nextInt(5)));
    } else if (k == 3) {
      sb.append("\u0001\u001F\u007F\u200B\u200D\uFEFF\u00AD");
    } else if (k == 4) {
      sb.append("=".repeat(20 + rng.nextInt(100))).append('\n');
    } else {
      sb.append("\uE000\uF8FF private use ");
    }
  }
}
