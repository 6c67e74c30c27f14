package org.in2stream.pipeline.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Any Hugging Face {@code tokenizer.json} through DJL's binding of the Rust {@code tokenizers} library.
 * Counts the text itself: no special tokens (BOS/EOS), no truncation, no padding. Thread-safe (the
 * native tokenizer is immutable once built).
 */
final class HfTokenizer implements TextTokenizer {
  private final String spec;
  private final HuggingFaceTokenizer tokenizer;

  private HfTokenizer(String spec, HuggingFaceTokenizer tokenizer) {
    this.spec = spec;
    this.tokenizer = tokenizer;
  }

  /** Loads {@code path}; the native library is made ready for this class loader first. */
  static HfTokenizer load(String spec, Path path) {
    HfNativeLibrary.ensureLoaded();
    // From the file's bytes only: DJL would otherwise also apply a tokenizer_config.json found
    // beside it (prefix space, lower case) in Java, outside what tokenizer.json itself defines.
    try (InputStream in = Files.newInputStream(path)) {
      HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(in, Map.of(
          "addSpecialTokens", "false", "truncation", "false", "padding", "false"));
      return new HfTokenizer(spec, t);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load Hugging Face tokenizer " + path, e);
    }
  }

  @Override
  public String spec() {
    return spec;
  }

  // Straight to the native calls: HuggingFaceTokenizer#encode also copies every token string, type
  // id, word id and mask into Java, which costs more than the encoding itself on long texts.
  @Override
  public int count(String text) {
    if (text.isEmpty()) {
      return 0;
    }
    long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
    try {
      return TokenizersLibrary.LIB.getTokenIds(encoding).length;
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
  }

  /** The token ids of {@code text}, without special tokens (BOS/EOS). */
  int[] ids(String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
    long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
    try {
      long[] ids = TokenizersLibrary.LIB.getTokenIds(encoding);
      int[] out = new int[ids.length];
      for (int i = 0; i < ids.length; i++) {
        out[i] = Math.toIntExact(ids[i]);
      }
      return out;
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
  }

  @Override
  public int[] tokenCharStarts(String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
    CharSpan[] spans;
    long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
    try {
      spans = TokenizersLibrary.LIB.getTokenCharSpans(encoding);
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
    // The Rust library reports offsets in Unicode code points; records use UTF-16 indexes.
    int codePoints = text.codePointCount(0, text.length());
    int[] utf16 = new int[codePoints + 1];
    for (int cp = 0, i = 0; cp < codePoints; cp++) {
      utf16[cp] = i;
      i += Character.charCount(text.codePointAt(i));
    }
    utf16[codePoints] = text.length();
    int[] starts = new int[spans.length];
    int previous = 0;
    for (int i = 0; i < spans.length; i++) {
      // Byte-fallback pieces of one character may carry no span: they start where the previous did.
      int s = spans[i] == null ? previous
          : Math.max(previous, utf16[Math.max(0, Math.min(spans[i].getStart(), codePoints))]);
      starts[i] = s;
      previous = s;
    }
    return starts;
  }
}
