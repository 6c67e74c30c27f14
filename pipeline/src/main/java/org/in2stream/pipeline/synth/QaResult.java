package org.in2stream.pipeline.synth;

import java.util.List;
import org.in2stream.pipeline.failure.Reason;

/**
 * What a generator returns: a QA pair, or a failure as a value (never an exception), with the
 * accounting of the calls it took.
 *
 * @param neededSegmentIndexes the {@code Segment.index} values the answer depends on
 * @param stats calls, retries, cache use, latencies and tokens behind this result; the DoFn turns
 *     them into Beam metrics on its own thread (metrics cannot be updated from client threads)
 */
public record QaResult(String question, String answer, List<Integer> neededSegmentIndexes,
    Reason failureReason, String failureMessage, CallStats stats) {

  public static QaResult ok(String question, String answer, List<Integer> needed) {
    return new QaResult(question, answer, List.copyOf(needed), null, null, CallStats.NONE);
  }

  public static QaResult failed(Reason reason, String message) {
    return new QaResult(null, null, List.of(), reason, message, CallStats.NONE);
  }

  public boolean isOk() {
    return failureReason == null;
  }

  public QaResult withStats(CallStats newStats) {
    return new QaResult(question, answer, neededSegmentIndexes, failureReason, failureMessage,
        newStats);
  }
}
