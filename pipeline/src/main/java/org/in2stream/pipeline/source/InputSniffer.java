package org.in2stream.pipeline.source;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;

/**
 * Looks at raw bytes and decoded text before anything expensive happens: binary signatures, NUL
 * bytes, the share of control characters, byte order marks, and whether a value looks like HTML.
 */
public final class InputSniffer {
  /** More than this share of control characters (other than tab, newline, CR, form feed) is binary. */
  public static final double MAX_CONTROL_SHARE = 0.05;
  /** How many leading characters the HTML test looks at. */
  private static final int HTML_SNIFF_CHARS = 1024;

  private static final byte[][] MAGIC = {
      {'%', 'P', 'D', 'F', '-'},
      {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
      {'P', 'K', 3, 4},
      {'P', 'K', 5, 6},
      {'P', 'K', 7, 8},
      {0x1f, (byte) 0x8b},
      {(byte) 0xff, (byte) 0xd8, (byte) 0xff},
      {'G', 'I', 'F', '8'},
  };
  private static final String[] MAGIC_NAMES = {"PDF", "PNG", "ZIP", "ZIP", "ZIP", "GZIP", "JPEG",
      "GIF"};

  private InputSniffer() {}

  /** The byte order mark at the start of a value. */
  public enum Bom {
    NONE(0),
    UTF8(3),
    UTF16BE(2),
    UTF16LE(2);

    public final int length;

    Bom(int length) {
      this.length = length;
    }
  }

  public static Bom bom(ByteBuffer b) {
    int p = b.position();
    int n = b.remaining();
    if (n >= 3 && (b.get(p) & 0xff) == 0xef && (b.get(p + 1) & 0xff) == 0xbb
        && (b.get(p + 2) & 0xff) == 0xbf) {
      return Bom.UTF8;
    }
    if (n >= 2 && (b.get(p) & 0xff) == 0xfe && (b.get(p + 1) & 0xff) == 0xff) {
      return Bom.UTF16BE;
    }
    if (n >= 2 && (b.get(p) & 0xff) == 0xff && (b.get(p + 1) & 0xff) == 0xfe) {
      return Bom.UTF16LE;
    }
    return Bom.NONE;
  }

  /** Why the bytes are binary (a file signature or a NUL byte), or empty. Reads no byte twice. */
  public static Optional<String> binarySignature(ByteBuffer b) {
    int p = b.position();
    for (int m = 0; m < MAGIC.length; m++) {
      byte[] magic = MAGIC[m];
      if (b.remaining() >= magic.length) {
        boolean match = true;
        for (int i = 0; i < magic.length && match; i++) {
          match = b.get(p + i) == magic[i];
        }
        if (match) {
          return Optional.of(MAGIC_NAMES[m] + " signature at the start");
        }
      }
    }
    for (int i = p; i < b.limit(); i++) {
      if (b.get(i) == 0) {
        return Optional.of("NUL byte at index " + (i - p));
      }
    }
    return Optional.empty();
  }

  /** True for C0 controls other than tab, newline, carriage return and form feed; DEL; C1 controls. */
  public static boolean isControl(char c) {
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')
        || (c >= 0x7f && c <= 0x9f);
  }

  /** Why decoded text is binary (too many control characters), or empty. */
  public static Optional<String> tooManyControls(String text) {
    if (text.isEmpty()) {
      return Optional.empty();
    }
    long controls = 0;
    for (int i = 0; i < text.length(); i++) {
      if (isControl(text.charAt(i)) || text.charAt(i) == 0) {
        controls++;
      }
    }
    if (controls > MAX_CONTROL_SHARE * text.length()) {
      return Optional.of(String.format(Locale.ROOT,
          "%d of %d characters are control characters (more than %.0f%%)", controls,
          text.length(), MAX_CONTROL_SHARE * 100));
    }
    return Optional.empty();
  }

  /**
   * True when text starts (after whitespace) with a doctype, an {@code <html>}, {@code <head>} or
   * {@code <body>} tag, or an HTML comment followed by one of those.
   */
  public static boolean looksLikeHtml(String text) {
    int start = 0;
    while (start < text.length() && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    if (start >= text.length() || text.charAt(start) != '<') {
      return false;
    }
    String head = text.substring(start, Math.min(text.length(), start + HTML_SNIFF_CHARS))
        .toLowerCase(Locale.ROOT);
    return head.startsWith("<!doctype html") || head.startsWith("<html")
        || head.startsWith("<head") || head.startsWith("<body")
        || (head.startsWith("<!--") && (head.contains("<html") || head.contains("<body")));
  }
}
