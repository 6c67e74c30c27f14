package org.in2stream.pipeline.decontaminate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.in2stream.pipeline.util.FileUris;

/**
 * The 10-grams of a set of evaluation texts, for decontamination (IN2 recipe: a raw text with a
 * 10-gram overlap with any evaluation example is used neither for questions nor as filler).
 *
 * <p>Words: NFKC, lower case, runs of letters and digits; each Han, Hiragana or Katakana character is a
 * word of its own (those scripts put no spaces between words), so Chinese and Japanese overlaps are
 * found too. Every window of {@value #N} consecutive words is hashed to 64 bits (murmur3); the hashes
 * are kept sorted in one {@code long[]}. Loaded once per JVM and file.
 *
 * <p>File format: one evaluation text per line; a line that starts with <code>{</code> is read as JSON
 * and its {@code text} field is used (all of its string fields when it has none). Texts shorter than
 * {@value #N} words cannot overlap and are counted in {@link #shortTexts()}.
 */
public final class NGramIndex {
  public static final int N = 10;
  private static final HashFunction HASH = com.google.common.hash.Hashing.murmur3_128(0x1B2);
  private static final Map<String, NGramIndex> CACHE = new ConcurrentHashMap<>();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final long[] hashes;
  private final int texts;
  private final int shortTexts;

  private NGramIndex(long[] hashes, int texts, int shortTexts) {
    this.hashes = hashes;
    this.texts = texts;
    this.shortTexts = shortTexts;
  }

  /**
   * The index of a file (a local path, or a Beam file system URI such as {@code s3://bucket/eval.txt}),
   * built on first use and shared by all threads of this JVM.
   */
  public static NGramIndex load(String path) {
    return CACHE.computeIfAbsent(path, p -> {
      try (BufferedReader in = FileUris.isRemote(p)
          ? new BufferedReader(new InputStreamReader(FileUris.open(p), StandardCharsets.UTF_8))
          : Files.newBufferedReader(Path.of(p), StandardCharsets.UTF_8)) {
        List<String> lines = new ArrayList<>();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
        return of(lines);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read --decontaminate=" + p, e);
      }
    });
  }

  /** The index of in-memory lines, in the file format above. */
  public static NGramIndex of(List<String> lines) {
    long[] all = new long[1024];
    int size = 0;
    int texts = 0;
    int shortTexts = 0;
    for (String line : lines) {
      String text = textOf(line);
      if (text.isBlank()) {
        continue;
      }
      texts++;
      List<String> words = words(text);
      if (words.size() < N) {
        shortTexts++;
        continue;
      }
      for (int i = 0; i + N <= words.size(); i++) {
        if (size == all.length) {
          all = Arrays.copyOf(all, size * 2);
        }
        all[size++] = hash(words, i);
      }
    }
    long[] sorted = Arrays.copyOf(all, size);
    Arrays.sort(sorted);
    int distinct = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        sorted[distinct++] = sorted[i];
      }
    }
    return new NGramIndex(Arrays.copyOf(sorted, distinct), texts, shortTexts);
  }

  /** The first {@value #N}-word window of {@code text} that also occurs in an evaluation text. */
  public Optional<String> firstOverlap(String text) {
    if (hashes.length == 0) {
      return Optional.empty();
    }
    List<String> words = words(text);
    for (int i = 0; i + N <= words.size(); i++) {
      if (Arrays.binarySearch(hashes, hash(words, i)) >= 0) {
        return Optional.of(String.join(" ", words.subList(i, i + N)));
      }
    }
    return Optional.empty();
  }

  /** Evaluation texts read (non-blank lines). */
  public int texts() {
    return texts;
  }

  /** Evaluation texts with fewer than {@value #N} words. */
  public int shortTexts() {
    return shortTexts;
  }

  /** Distinct 10-grams held. */
  public int size() {
    return hashes.length;
  }

  private static String textOf(String line) {
    String t = line.strip();
    if (!t.startsWith("{")) {
      return t;
    }
    try {
      JsonNode node = JSON.readTree(t);
      if (node.has("text") && node.get("text").isTextual()) {
        return node.get("text").asText();
      }
      StringBuilder sb = new StringBuilder();
      node.fields().forEachRemaining(f -> {
        if (f.getValue().isTextual()) {
          sb.append(f.getValue().asText()).append('\n');
        }
      });
      return sb.toString();
    } catch (IOException e) {
      return t; // not JSON after all: the line is the text
    }
  }

  /** The words of a text, as described in the class comment. */
  static List<String> words(String text) {
    String t = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = t.length();
    while (i < n) {
      int cp = t.codePointAt(i);
      int len = Character.charCount(cp);
      if (isOwnWord(cp)) {
        out.add(t.substring(i, i + len));
        i += len;
      } else if (Character.isLetterOrDigit(cp)) {
        int start = i;
        while (i < n) {
          int c = t.codePointAt(i);
          if (!Character.isLetterOrDigit(c) || isOwnWord(c)) {
            break;
          }
          i += Character.charCount(c);
        }
        out.add(t.substring(start, i));
      } else {
        i += len;
      }
    }
    return out;
  }

  private static boolean isOwnWord(int cp) {
    Character.UnicodeScript s = Character.UnicodeScript.of(cp);
    return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
        || s == Character.UnicodeScript.KATAKANA;
  }

  private static long hash(List<String> words, int from) {
    Hasher h = HASH.newHasher();
    for (int k = from; k < from + N; k++) {
      h.putString(words.get(k), StandardCharsets.UTF_8).putByte((byte) 0);
    }
    return h.hash().asLong();
  }
}
