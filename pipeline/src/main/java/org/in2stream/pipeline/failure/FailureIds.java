package org.in2stream.pipeline.failure;

import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Source;

/** A stable id for a dead letter: the same problem with the same input always gets the same id. */
public final class FailureIds {
  private FailureIds() {}

  public static String of(Failure f) {
    Source s = f.getSource();
    String where = s == null ? "" : s.getTopic() + "/" + s.getPartition() + "@" + s.getOffset();
    return Hashing.sha256Hex(f.getStage(), f.getReason(), where,
        f.getDocId() == null ? "" : f.getDocId(), f.getInputSha256(), f.getMessage())
        .substring(0, 32);
  }
}
