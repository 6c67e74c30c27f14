package org.in2stream.pipeline.tokenize;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads tokenizers by spec, once per JVM (so once per Flink TaskManager, never per element). DoFns keep
 * the spec string and call {@link #load} in {@code @Setup}.
 */
public final class Tokenizers {
  /** The default: OpenAI's cl100k_base. */
  public static final String DEFAULT_SPEC = "tiktoken:cl100k_base";

  private static final Map<String, TextTokenizer> CACHE = new ConcurrentHashMap<>();
  private static volatile EncodingRegistry registry;

  private Tokenizers() {}

  /** Checks a spec without loading it; returns an error message or empty. */
  public static Optional<String> validate(String spec) {
    if (spec == null || !spec.startsWith("tiktoken:")) {
      return Optional.of("unknown --tokenizer=" + spec + "; use tiktoken:cl100k_base, "
          + "tiktoken:o200k_base, tiktoken:p50k_base, tiktoken:r50k_base or tiktoken:p50k_edit");
    }
    String name = spec.substring("tiktoken:".length());
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
    String name = spec.substring("tiktoken:".length()).toLowerCase(Locale.ROOT);
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
