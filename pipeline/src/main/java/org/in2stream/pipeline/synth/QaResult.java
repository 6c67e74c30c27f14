package org.in2stream.pipeline.synth;

import java.util.List;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.verify.Quote;

/**
 * What a generator returns: a QA pair, or a failure as a value (never an exception), with the
 * accounting of the calls it took.
 *
 * @param neededSegmentIndexes the {@code Segment.index} values the answer depends on
 * @param stats calls, retries, cache use, latencies and tokens behind this result; the DoFn turns
 *     them into Beam metrics on its own thread (metrics cannot be updated from client threads)
 * @param evidence the verbatim quotes the generator gave, per piece (checked by the verification
 *     chain, not here)
 * @param responseKey the cache key of the response this result was read from (null offline)
 */
public record QaResult(String question, String answer, List<Integer> neededSegmentIndexes,
    Reason failureReason, String failureMessage, CallStats stats, List<Quote> evidence,
    String responseKey) {

  public QaResult {
    evidence = evidence == null ? List.of() : List.copyOf(evidence);
  }

  public static QaResult ok(String question, String answer, List<Integer> needed) {
    return ok(question, answer, needed, List.of());
  }

  public static QaResult ok(String question, String answer, List<Integer> needed,
      List<Quote> evidence) {
    return new QaResult(question, answer, List.copyOf(needed), null, null, CallStats.NONE,
        evidence, null);
  }

  public static QaResult failed(Reason reason, String message) {
    return new QaResult(null, null, List.of(), reason, message, CallStats.NONE, List.of(), null);
  }

  public boolean isOk() {
    return failureReason == null;
  }

  public QaResult withStats(CallStats newStats) {
    return new QaResult(question, answer, neededSegmentIndexes, failureReason, failureMessage,
        newStats, evidence, responseKey);
  }

  public QaResult withResponseKey(String key) {
    return new QaResult(question, answer, neededSegmentIndexes, failureReason, failureMessage,
        stats, evidence, key);
  }

  /** The same result as a failure of this reason (used when a check rejects it). */
  public QaResult rejected(Reason reason, String message) {
    return new QaResult(question, answer, neededSegmentIndexes, reason, message, stats, evidence,
        responseKey);
  }
}
