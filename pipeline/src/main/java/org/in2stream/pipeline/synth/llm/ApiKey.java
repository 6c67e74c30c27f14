package org.in2stream.pipeline.synth.llm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the API key on the worker, in {@code @Setup}: from a file when one is configured, else from an
 * environment variable. The key is held only by the HTTP client and by {@link #redact}; it never goes
 * into options, logs, dead letters or exception messages (messages that might quote a server's reply
 * pass through {@link #redact} first).
 */
public final class ApiKey {
  private final String value;

  private ApiKey(String value) {
    this.value = value;
  }

  /** The key, or an empty one when neither the file nor the variable is set (local servers). */
  public static ApiKey load(String envName, String file) {
    if (file != null && !file.isBlank()) {
      try {
        String text = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
          throw new IllegalStateException("the API key file named by --llmApiKeyFile is empty");
        }
        return new ApiKey(text);
      } catch (IOException e) {
        // The path is not a secret; the content is never read into the message.
        throw new IllegalStateException("cannot read the API key file named by --llmApiKeyFile ("
            + file + "): " + e.getClass().getSimpleName());
      }
    }
    String env = System.getenv(envName);
    return new ApiKey(env == null || env.isBlank() ? null : env.strip());
  }

  /** For tests and tools that hold the key already. */
  public static ApiKey of(String value) {
    return new ApiKey(value == null || value.isBlank() ? null : value);
  }

  /** The key, for the HTTP client only. */
  Optional<String> value() {
    return Optional.ofNullable(value);
  }

  /** The text with every occurrence of the key replaced by {@code [redacted]}. */
  public String redact(String text) {
    if (text == null || value == null || value.length() < 4) {
      return text;
    }
    return text.replace(value, "[redacted]");
  }

  @Override
  public String toString() {
    return value == null ? "ApiKey[none]" : "ApiKey[set]";
  }
}
