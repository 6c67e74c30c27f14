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

/**
 * Loads tokenizers by spec, once per JVM and class loader (so once per Flink TaskManager and job,
 * never per element). DoFns keep the spec string and call {@link #load} in {@code @Setup}.
 *
 * <ul>
 *   <li>{@code tiktoken:<encoding>}: OpenAI encodings through jtokkit (cl100k_base, o200k_base, ...).
 *   <li>{@code hf:<path to tokenizer.json>}: any Hugging Face tokenizer through DJL (Llama, Mistral,
 *       Qwen...). The file must exist at that path on every worker.
 * </ul>
 */
public final class Tokenizers {
  /** The default: OpenAI's cl100k_base. */
  public static final String DEFAULT_SPEC = "tiktoken:cl100k_base";
  public static final String TIKTOKEN = "tiktoken:";
  public static final String HF = "hf:";

  private static final Map<String, TextTokenizer> CACHE = new ConcurrentHashMap<>();
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
      return HfTokenizer.load(spec, Path.of(spec.substring(HF.length())));
    }
    String name = spec.substring(TIKTOKEN.length()).toLowerCase(Locale.ROOT);
    EncodingType type = EncodingType.fromName(name).orElseThrow();
    return new TiktokenTokenizer(spec, registry().getEncoding(type));
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
