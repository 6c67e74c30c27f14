package org.in2stream.pipeline.tokenize;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer: cuts a stretch of text into the pieces that byte-pair merges never cross. The
 * pieces of {@code text[from, to)} are found as if that stretch were the whole text (a look-ahead
 * sees its end as the end of the text), and together they cover it, in order.
 */
interface PieceSplitter {
  /** Receives the pieces, as char ranges of the text. */
  interface Sink {
    void piece(int start, int end);
  }

  void split(String text, int from, int to, Sink sink);

  /**
   * A Hugging Face {@code Split} pre-tokenizer with {@code behavior: Isolated} (matches and the text
   * between them are both pieces), run by {@link java.util.regex}. Only for patterns that {@link
   * HfRegex#javaPattern} accepts as meaning the same in Java as in Oniguruma.
   */
  final class Regex implements PieceSplitter {
    private final Pattern pattern;

    Regex(Pattern pattern) {
      this.pattern = pattern;
    }

    @Override
    public void split(String text, int from, int to, Sink sink) {
      Matcher m = pattern.matcher(text);
      m.region(from, to); // opaque bounds: a look-ahead sees the end of the region as the end
      int at = from;
      while (at < to && m.find()) {
        if (m.end() == m.start()) {
          // an empty match splits nothing; step past it as the Rust library does
          if (m.end() >= to) {
            break;
          }
          m.region(m.end() + Character.charCount(text.codePointAt(m.end())), to);
          continue;
        }
        if (m.start() > at) {
          sink.piece(at, m.start());
        }
        sink.piece(m.start(), m.end());
        at = m.end();
      }
      if (at < to) {
        sink.piece(at, to);
      }
    }
  }

  /**
   * The pattern of Llama 3 ({@code maxDigits} 3, the same pieces as tiktoken's cl100k_base) and of
   * Qwen2/2.5/3 ({@code maxDigits} 1), written out by hand because {@link java.util.regex} runs it
   * several times slower:
   * <pre>
   * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}| ?[^\s\p{L}\p{N}]+[\r\n]*
   *   |\s*[\r\n]+|\s+(?!\S)|\s+
   * </pre>
   * The alternatives are tried in that order at each position, as the regex engine does. {@code \s}
   * is Unicode White_Space, {@code \p{L}} and {@code \p{N}} general categories (Java's tables;
   * characters Java does not know are sent to the reference tokenizer before they get here).
   * Tested against the pattern run by {@link java.util.regex} and against the Rust library.
   */
  final class Cl100kFamily implements PieceSplitter {
    /** Llama 3's pattern in its {@code tokenizer.json}. */
    static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
        + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2's (also Qwen2.5's and Qwen3's): numbers one digit a piece. */
    static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
        + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final byte LETTER = 1;
    private static final byte NUMBER = 2;
    private static final byte SPACE = 3;
    private static final byte LINE_BREAK = 4; // \r or \n, also whitespace
    private static final byte OTHER = 5;
    private static final byte[] ASCII = new byte[128];

    static {
      for (int c = 0; c < 128; c++) {
        ASCII[c] = classify(c);
      }
    }

    private final int maxDigits;

    Cl100kFamily(int maxDigits) {
      this.maxDigits = maxDigits;
    }

    /** The splitter for one of the known patterns, or null. */
    static Cl100kFamily forPattern(String regex) {
      if (LLAMA3.equals(regex)) {
        return new Cl100kFamily(3);
      }
      if (QWEN2.equals(regex)) {
        return new Cl100kFamily(1);
      }
      return null;
    }

    @Override
    public void split(String text, int from, int to, Sink sink) {
      int i = from;
      while (i < to) {
        int end = pieceEnd(text, i, to);
        sink.piece(i, end);
        i = end;
      }
    }

    private int pieceEnd(String s, int i, int to) {
      int c0 = codePoint(s, i, to);
      int n0 = i + Character.charCount(c0);
      int c1 = n0 < to ? codePoint(s, n0, to) : -1;
      // (?i:'s|'t|'re|'ve|'m|'ll|'d)
      if (c0 == '\'' && c1 >= 0) {
        if (c1 == 's' || c1 == 'S' || c1 == '\u017F' || c1 == 't' || c1 == 'T' || c1 == 'm'
            || c1 == 'M' || c1 == 'd' || c1 == 'D') {
          return n0 + 1;
        }
        if (n0 + 1 < to) {
          char c2 = s.charAt(n0 + 1);
          if (((c1 == 'r' || c1 == 'R' || c1 == 'v' || c1 == 'V') && (c2 == 'e' || c2 == 'E'))
              || ((c1 == 'l' || c1 == 'L') && (c2 == 'l' || c2 == 'L'))) {
            return n0 + 2;
          }
        }
      }
      byte k0 = kind(c0);
      // [^\r\n\p{L}\p{N}]?\p{L}+
      if (k0 == LETTER) {
        return letters(s, n0, to);
      }
      if (k0 != NUMBER && k0 != LINE_BREAK && c1 >= 0 && kind(c1) == LETTER) {
        return letters(s, n0 + Character.charCount(c1), to);
      }
      // \p{N}{1,maxDigits}
      if (k0 == NUMBER) {
        int j = n0;
        for (int d = 1; d < maxDigits && j < to; d++) {
          int c = codePoint(s, j, to);
          if (kind(c) != NUMBER) {
            break;
          }
          j += Character.charCount(c);
        }
        return j;
      }
      //  ?[^\s\p{L}\p{N}]+[\r\n]*
      int j = -1;
      if (k0 == OTHER) {
        j = n0;
      } else if (c0 == ' ' && c1 >= 0 && kind(c1) == OTHER) {
        j = n0 + Character.charCount(c1);
      }
      if (j >= 0) {
        while (j < to) {
          int c = codePoint(s, j, to);
          if (kind(c) != OTHER) {
            break;
          }
          j += Character.charCount(c);
        }
        while (j < to && (s.charAt(j) == '\r' || s.charAt(j) == '\n')) {
          j++;
        }
        return j;
      }
      // c0 is whitespace (every whitespace character is one UTF-16 unit)
      int end = i;
      int lastBreak = -1;
      while (end < to) {
        char c = s.charAt(end);
        byte k = c < 128 ? ASCII[c] : kind(c);
        if (k == LINE_BREAK) {
          lastBreak = end;
        } else if (k != SPACE) {
          break;
        }
        end++;
      }
      if (lastBreak >= 0) {
        return lastBreak + 1; // \s*[\r\n]+ : up to the last line break of the run
      }
      if (end == to || end - i == 1) {
        return end; // \s+(?!\S) at the end, or \s+ for a single character before a non-space
      }
      return end - 1; // \s+(?!\S) leaves the last space to the piece that follows
    }

    private static int letters(String s, int j, int to) {
      while (j < to) {
        char ch = s.charAt(j);
        if (ch < 128) {
          if (ASCII[ch] != LETTER) {
            break;
          }
          j++;
          continue;
        }
        int c = codePoint(s, j, to);
        if (kind(c) != LETTER) {
          break;
        }
        j += Character.charCount(c);
      }
      return j;
    }

    private static int codePoint(String s, int i, int to) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        return Character.toCodePoint(c, s.charAt(i + 1));
      }
      return c;
    }

    private static byte kind(int c) {
      return c < 128 ? ASCII[c] : classify(c);
    }

    private static byte classify(int c) {
      if (c == '\r' || c == '\n') {
        return LINE_BREAK;
      }
      if (isWhiteSpace(c)) {
        return SPACE;
      }
      switch (Character.getType(c)) {
        case Character.UPPERCASE_LETTER:
        case Character.LOWERCASE_LETTER:
        case Character.TITLECASE_LETTER:
        case Character.MODIFIER_LETTER:
        case Character.OTHER_LETTER:
          return LETTER;
        case Character.DECIMAL_DIGIT_NUMBER:
        case Character.LETTER_NUMBER:
        case Character.OTHER_NUMBER:
          return NUMBER;
        default:
          return OTHER;
      }
    }

    /** Unicode's White_Space property, which both {@code \s} engines use. */
    static boolean isWhiteSpace(int c) {
      return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
          || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
          || c == 0x205F || c == 0x3000;
    }
  }
}
