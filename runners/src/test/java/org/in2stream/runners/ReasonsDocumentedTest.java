package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.in2stream.pipeline.failure.Reason;
import org.junit.jupiter.api.Test;

/** Every dead-letter reason code has a row in docs/dead-letters.md's table (operators alert on them). */
class ReasonsDocumentedTest {
  @Test
  void everyReasonHasARowInTheDeadLetterReference() throws Exception {
    String readme = Files.readString(Path.of("..", "docs", "dead-letters.md"));
    List<String> missing = new ArrayList<>();
    for (Reason r : Reason.values()) {
      if (!readme.contains("| `" + r.name() + "` |")) {
        missing.add(r.name());
      }
    }
    assertEquals(List.of(), missing, "reason codes without a row in docs/dead-letters.md's table");
  }
}
