package org.in2stream.pipeline.util;

import com.google.common.hash.HashCode;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import java.nio.charset.StandardCharsets;

/** Stable content hashes. Every id in the pipeline derives from one of these, never from arrival. */
public final class Hashing {
  private static final HashFunction SHA256 = com.google.common.hash.Hashing.sha256();

  private Hashing() {}

  /** Hex SHA-256 of bytes. */
  public static String sha256Hex(byte[] bytes) {
    return SHA256.hashBytes(bytes).toString();
  }

  /** Hex SHA-256 of the remaining bytes of a buffer; the buffer's position is not moved. */
  public static String sha256Hex(java.nio.ByteBuffer bytes) {
    return SHA256.newHasher().putBytes(bytes.duplicate()).hash().toString();
  }

  /** Hex SHA-256 of a string's UTF-8 bytes. */
  public static String sha256Hex(String text) {
    return SHA256.hashString(text, StandardCharsets.UTF_8).toString();
  }

  /**
   * Hex SHA-256 of several strings, each length-prefixed so that ("ab","c") and ("a","bc") differ.
   */
  public static String sha256Hex(String... parts) {
    return hash(parts).toString();
  }

  /** Raw SHA-256 of the given parts (length-prefixed like {@link #sha256Hex(String...)}). */
  public static byte[] sha256Bytes(String... parts) {
    return hash(parts).asBytes();
  }

  /** First 64 bits of the SHA-256 of the given parts: a stable numeric key. */
  public static long sha256Long(String... parts) {
    return hash(parts).asLong();
  }

  private static HashCode hash(String... parts) {
    Hasher hasher = SHA256.newHasher();
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      hasher.putInt(bytes.length).putBytes(bytes);
    }
    return hasher.hash();
  }
}
