package org.in2stream.pipeline.tokenize;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads tokenizers by spec, once per JVM and class loader (so once per Flink TaskManager and job,
 * never per element). DoFns keep the spec string and call {@link #load} in {@code @Setup}.
 *
 * <ul>
 *   <li>{@code tiktoken:<encoding>}: OpenAI encodings through jtokkit (cl100k_base, o200k_base, ...).
 *   <li>{@code hf:<path to tokenizer.json>}: any Hugging Face tokenizer (Llama, Mistral, Qwen...). The
 *       file must exist at that path on every worker. Byte-level BPE files that {@link
 *       ByteLevelBpeLoader} accepts (Llama 3, Qwen2/2.5/3, GPT-2 style) are encoded in Java with the
 *       Hugging Face library's semantics, several times faster; the others (SentencePiece, WordPiece,
 *       Unigram, ...) go through DJL's binding of the Rust library, with the reason logged once.
 * </ul>
 */
public final class Tokenizers {
  /** The default: OpenAI's cl100k_base. */
  public static final String DEFAULT_SPEC = "tiktoken:cl100k_base";
  public static final String TIKTOKEN = "tiktoken:";
  public static final String HF = "hf:";

  private static final Logger LOG = LoggerFactory.getLogger(Tokenizers.class);
  private static final Map<String, TextTokenizer> CACHE = new ConcurrentHashMap<>();
  private static final Map<String, TextTokenizer> DJL = new ConcurrentHashMap<>();
  private static volatile EncodingRegistry registry;

  private Tokenizers() {}

  /** Checks a spec without loading it; returns an error message or empty. */
  public static Optional<String> validate(String spec) {
    if (spec != null && spec.startsWith(HF)) {
      Path path = Path.of(spec.substring(HF.length()));
      if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
        return Optional.of("--tokenizer=" + spec + ": no readable tokenizer.json at " + path);
      }
      return Optional.empty();
    }
    if (spec == null || !spec.startsWith(TIKTOKEN)) {
      return Optional.of("unknown --tokenizer=" + spec + "; use tiktoken:cl100k_base, "
          + "tiktoken:o200k_base (or another tiktoken encoding), or hf:/path/to/tokenizer.json");
    }
    String name = spec.substring(TIKTOKEN.length());
    if (EncodingType.fromName(name.toLowerCase(Locale.ROOT)).isEmpty()) {
      return Optional.of("unknown tiktoken encoding '" + name + "' in --tokenizer=" + spec);
    }
    return Optional.empty();
  }

  /** The tokenizer for a spec, loaded on first use and shared by all threads of this JVM. */
  public static TextTokenizer load(String spec) {
    return CACHE.computeIfAbsent(spec, Tokenizers::create);
  }

  private static TextTokenizer create(String spec) {
    validate(spec).ifPresent(msg -> {
      throw new IllegalArgumentException(msg);
    });
    if (spec.startsWith(HF)) {
      Path path = Path.of(spec.substring(HF.length()));
      try {
        TextTokenizer fast = ByteLevelBpeLoader.load(spec, path, () -> loadThroughDjl(spec));
        LOG.info("{}: byte-level BPE encoded in Java", spec);
        return fast;
      } catch (ByteLevelBpeLoader.Unsupported e) {
        LOG.info("{}: through DJL ({})", spec, e.getMessage());
        return loadThroughDjl(spec);
      }
    }
    String name = spec.substring(TIKTOKEN.length()).toLowerCase(Locale.ROOT);
    EncodingType type = EncodingType.fromName(name).orElseThrow();
    return new TiktokenTokenizer(spec, registry().getEncoding(type));
  }

  /**
   * An {@code hf:} spec always through DJL's binding of the Rust library, whatever {@link #load}
   * picks: the reference that the Java encoding is checked against (tests, benchmarks), and its
   * fallback for the texts it cannot prove it encodes exactly.
   */
  public static TextTokenizer loadThroughDjl(String spec) {
    if (spec == null || !spec.startsWith(HF)) {
      throw new IllegalArgumentException("not an hf: spec: " + spec);
    }
    validate(spec).ifPresent(msg -> {
      throw new IllegalArgumentException(msg);
    });
    return DJL.computeIfAbsent(spec,
        s -> HfTokenizer.load(s, Path.of(s.substring(HF.length()))));
  }

  private static EncodingRegistry registry() {
    if (registry == null) {
      synchronized (Tokenizers.class) {
        if (registry == null) {
          registry = Encodings.newLazyEncodingRegistry();
        }
      }
    }
    return registry;
  }
}
