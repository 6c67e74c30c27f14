package org.in2stream.pipeline.synth;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.in2stream.pipeline.failure.Reason;

/**
 * Asks a model a question, with evidence (ablation) or without (closed-book), for the verification
 * chain. Implementations go through the same client, cache, retries and concurrency bound as
 * generation. The future always completes.
 */
public interface Asker {
  /** The model's reply, or a failure (transport, cache) as a value. */
  record Answer(String text, Reason failure, String message, CallStats stats) {
    public boolean isOk() {
      return failure == null;
    }
  }

  /**
   * @param purpose what the question is asked for ({@code closed-book}, {@code ablation}); part of
   *     the cache key
   * @param evidence the quotes shown with the question, in order; empty for closed-book
   */
  CompletableFuture<Answer> ask(String purpose, String question, List<String> evidence);
}
