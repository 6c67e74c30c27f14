package org.in2stream.pipeline.source;

/**
 * Removes characters that are invisible in a rendered page but change what a model reads: zero-width
 * characters and bidirectional controls (which can hide or reorder text, "Trojan Source"), and control
 * characters. Line ends become {@code \n}.
 *
 * <p>Always removed: U+200B, U+2060, U+FEFF, U+180E, U+2061..U+2064, U+00AD (soft hyphen), the bidi
 * marks and controls U+200E, U+200F, U+061C, U+202A..U+202E, U+2066..U+2069, and C0/C1 controls other
 * than tab, newline and form feed (form feed becomes a newline). The joiners U+200C (ZWNJ) and U+200D
 * (ZWJ) are kept between two visible characters, where they carry meaning (Persian and Indic words,
 * emoji sequences), and removed elsewhere.
 */
public final class InputCleaner {
  private InputCleaner() {}

  /** The cleaned text and how many characters of each kind were removed. */
  public record Cleaned(String text, int invisibleRemoved, int controlsRemoved) {}

  public static Cleaned clean(String text) {
    StringBuilder out = null;
    int invisible = 0;
    int controls = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      char replacement = 0;
      boolean drop = false;
      boolean isInvisible = false;
      if (c == '\r') {
        replacement = '\n';
        if (i + 1 < n && text.charAt(i + 1) == '\n') {
          drop = true; // CRLF: the LF that follows gives the newline
        }
      } else if (c == '\f') {
        replacement = '\n';
      } else if (isAlwaysInvisible(c)) {
        drop = true;
        isInvisible = true;
      } else if (c == '\u200C' || c == '\u200D') {
        boolean keep = i > 0 && i + 1 < n && visible(text.charAt(i - 1))
            && visible(text.charAt(i + 1));
        drop = !keep;
        isInvisible = !keep;
      } else if (InputSniffer.isControl(c)) {
        drop = true;
        controls++;
      }
      if (isInvisible) {
        invisible++;
      }
      if (drop || replacement != 0) {
        if (out == null) {
          out = new StringBuilder(n);
          out.append(text, 0, i);
        }
        if (!drop) {
          out.append(replacement);
        }
      } else if (out != null) {
        out.append(c);
      }
    }
    return new Cleaned(out == null ? text : out.toString(), invisible, controls);
  }

  /** Zero-width and bidi characters that are removed wherever they are. */
  public static boolean isAlwaysInvisible(char c) {
    return c == '\u200B' || c == '\u2060' || c == '\uFEFF' || c == '\u180E' || c == '\u00AD'
        || (c >= '\u2061' && c <= '\u2064')
        || c == '\u200E' || c == '\u200F' || c == '\u061C'
        || (c >= '\u202A' && c <= '\u202E')
        || (c >= '\u2066' && c <= '\u2069');
  }

  private static boolean visible(char c) {
    return !Character.isWhitespace(c) && !isAlwaysInvisible(c) && c != '\u200C' && c != '\u200D'
        && !InputSniffer.isControl(c);
  }
}
