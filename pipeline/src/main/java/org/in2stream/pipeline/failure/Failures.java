package org.in2stream.pipeline.failure;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Source;

/** Builds bounded dead-letter records: an excerpt, a hash and the size, never the whole input. */
public final class Failures {
  /** Characters of the offending input kept in {@link Failure#getExcerpt()}. */
  public static final int EXCERPT_CHARS = 512;

  private Failures() {}

  /** A failure about raw bytes; invalid UTF-8 in the excerpt is shown as {@code \xNN}. */
  public static Failure ofBytes(
      String stage, Reason reason, String message, String docId, Source source, byte[] input) {
    byte[] bytes = input == null ? new byte[0] : input;
    return build(stage, reason, message, docId, source, excerptOf(bytes), bytes.length,
        Hashing.sha256Hex(bytes));
  }

  /**
   * A failure about a value too large to copy: the excerpt reads only the first bytes and the hash
   * streams over the buffer, so no second copy of the value is made.
   */
  public static Failure ofLargeBuffer(
      String stage, Reason reason, String message, String docId, Source source, ByteBuffer input) {
    ByteBuffer b = input.duplicate();
    byte[] head = new byte[Math.min(b.remaining(), EXCERPT_CHARS * 4)];
    b.duplicate().get(head);
    return build(stage, reason, message, docId, source, excerptOf(head), b.remaining(),
        Hashing.sha256Hex(b));
  }

  /** A failure about decoded text. */
  public static Failure ofText(
      String stage, Reason reason, String message, String docId, Source source, String text) {
    String t = text == null ? "" : text;
    byte[] bytes = t.getBytes(StandardCharsets.UTF_8);
    String excerpt = t.length() <= EXCERPT_CHARS ? t : t.substring(0, safeCut(t, EXCERPT_CHARS));
    return build(stage, reason, message, docId, source, excerpt, bytes.length,
        Hashing.sha256Hex(bytes));
  }

  private static Failure build(String stage, Reason reason, String message, String docId,
      Source source, String excerpt, long size, String sha) {
    return Failure.newBuilder()
        .setStage(stage)
        .setReason(reason.name())
        .setMessage(message == null ? reason.meaning() : truncate(message, 2_000))
        .setDocId(docId)
        .setSource(source)
        .setExcerpt(excerpt)
        .setInputBytes(size)
        .setInputSha256(sha)
        .build();
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, safeCut(s, max)) + "...";
  }

  /** Never cut a surrogate pair in half. */
  private static int safeCut(String s, int index) {
    return Character.isHighSurrogate(s.charAt(index - 1)) ? index - 1 : index;
  }

  /** Printable ASCII and valid UTF-8 pass through; every other byte is written as {@code \xNN}. */
  static String excerptOf(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < bytes.length && out.length() < EXCERPT_CHARS) {
      int b = bytes[i] & 0xff;
      int len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3
          : b >= 0xf0 && b < 0xf5 ? 4 : 0;
      if (len == 1 && (b >= 0x20 || b == '\n' || b == '\t') && b != 0x7f) {
        out.append((char) b);
        i++;
      } else if (len > 1 && i + len <= bytes.length && continuationBytes(bytes, i + 1, len - 1)) {
        String decoded = new String(bytes, i, len, StandardCharsets.UTF_8);
        if (decoded.indexOf('\uFFFD') >= 0) {
          out.append(String.format("\\x%02x", b));
          i++;
        } else {
          out.append(decoded);
          i += len;
        }
      } else {
        out.append(String.format("\\x%02x", b));
        i++;
      }
    }
    return out.toString();
  }

  private static boolean continuationBytes(byte[] bytes, int from, int count) {
    for (int k = from; k < from + count; k++) {
      if ((bytes[k] & 0xc0) != 0x80) {
        return false;
      }
    }
    return true;
  }
}
