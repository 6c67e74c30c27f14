package org.in2stream.pipeline.synth;

import java.util.concurrent.CompletableFuture;

/**
 * Synthesizes IN2-style QA pairs. Implementations are created on each worker by a {@link
 * QaGenerator.Factory} (in {@code @Setup}) and are called from many elements at once: calls are
 * asynchronous, keyed by {@link QaRequest#requestKey()}, and report failures as {@link QaResult}
 * values. The returned future must always complete.
 */
public interface QaGenerator extends AutoCloseable {
  /** Name of the model (or generator) written into every record. */
  String model();

  /** Version of the generation prompt (or of the generator's rules) written into every record. */
  String promptVersion();

  /** Parameters that change the output (temperature, max tokens...); part of the request key. */
  String generationParams();

  CompletableFuture<QaResult> generate(QaRequest request);

  /**
   * Attempt {@code attempt} (0-based) of a request: attempt 0 is {@link #generate(QaRequest)}; later
   * attempts, asked after the verification chain rejected the earlier ones, must use a different,
   * deterministic sampling seed and their own cache key, so that a replay gives the same responses.
   */
  default CompletableFuture<QaResult> generate(QaRequest request, int attempt) {
    if (attempt == 0) {
      return generate(request);
    }
    return CompletableFuture.completedFuture(QaResult.failed(
        org.in2stream.pipeline.failure.Reason.GENERATOR_ERROR,
        "this generator has no attempt " + attempt));
  }

  /** The model the verification calls ask, or null when the generator has none (offline). */
  default Asker asker() {
    return null;
  }

  @Override
  default void close() {}

  /** Serializable recipe that builds the generator on a worker; carries no secret. */
  interface Factory extends java.io.Serializable {
    QaGenerator create();
  }
}
