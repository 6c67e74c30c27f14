package org.in2stream.pipeline.synth.llm;

import java.io.IOException;
import java.util.Optional;

/**
 * Raw LLM responses stored under their request key. The generator writes a response here before it
 * uses it, so a replay of the same input finds every answered request and makes no call (DESIGN.md
 * section 5). Implementations are shared by many threads and, for a cluster, by many workers.
 */
public interface ResponseCache extends AutoCloseable {
  /** The stored response body, or empty. */
  Optional<byte[]> get(String requestKey) throws IOException;

  /** Stores the body durably before returning; a second put of the same key may overwrite. */
  void put(String requestKey, byte[] body) throws IOException;

  /** Short description for logs (never a password). */
  String describe();

  /** False for the "none" cache, which never stores anything. */
  default boolean enabled() {
    return true;
  }

  @Override
  default void close() throws IOException {}

  /** No caching: every request calls the server (benchmarks). */
  ResponseCache NONE = new ResponseCache() {
    @Override
    public Optional<byte[]> get(String requestKey) {
      return Optional.empty();
    }

    @Override
    public void put(String requestKey, byte[] body) {}

    @Override
    public String describe() {
      return "none";
    }

    @Override
    public boolean enabled() {
      return false;
    }
  };
}
