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

  @Override
  default void close() {}

  /** Serializable recipe that builds the generator on a worker; carries no secret. */
  interface Factory extends java.io.Serializable {
    QaGenerator create();
  }
}
