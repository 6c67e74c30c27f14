package org.in2stream.pipeline.util;

import java.net.InetAddress;
import java.util.function.Supplier;
import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * A worker cannot set up a step from the job's configuration: a tokenizer file that is not on this
 * machine, an API key file it cannot read. Restarting runs into the same wall, so on Flink this
 * exception is a non-recoverable error (Flink's failure handler looks for the annotation along the
 * cause chain): the job fails once with this message instead of restarting forever under the
 * restart strategy that checkpointing turns on. The message names the step, the worker's host and
 * the cause.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class WorkerSetupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WorkerSetupException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Runs one setup step of a worker; a runtime exception from it becomes a {@code
   * WorkerSetupException} that says what could not be set up, where, and why.
   *
   * @param what what is set up, in words for the message ("the tokenizer tiktoken:cl100k_base")
   */
  public static <T> T during(String what, Supplier<T> setup) {
    try {
      return setup.get();
    } catch (RuntimeException e) {
      throw new WorkerSetupException("worker " + host() + " cannot set up " + what + ": "
          + e.getMessage() + " (a configuration problem: the job fails without restarting; fix it "
          + "on every worker and start the job again)", e);
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException | SecurityException e) {
      return "(unknown host)";
    }
  }
}
