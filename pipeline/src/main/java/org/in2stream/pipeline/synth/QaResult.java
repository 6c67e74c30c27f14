package org.in2stream.pipeline.synth;

import java.util.List;
import org.in2stream.pipeline.failure.Reason;

/**
 * What a generator returns: a QA pair, or a failure as a value (never an exception).
 *
 * @param neededSegmentIndexes the {@code Segment.index} values the answer depends on
 */
public record QaResult(String question, String answer, List<Integer> neededSegmentIndexes,
    Reason failureReason, String failureMessage) {

  public static QaResult ok(String question, String answer, List<Integer> needed) {
    return new QaResult(question, answer, List.copyOf(needed), null, null);
  }

  public static QaResult failed(Reason reason, String message) {
    return new QaResult(null, null, List.of(), reason, message);
  }

  public boolean isOk() {
    return failureReason == null;
  }
}
