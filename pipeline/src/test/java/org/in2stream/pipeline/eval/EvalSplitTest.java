package org.in2stream.pipeline.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.in2stream.schema.Document;
import org.in2stream.schema.Source;
import org.junit.jupiter.api.Test;

class EvalSplitTest {
  private static Document doc(String id, long timestamp) {
    return Document.newBuilder().setId(id).setText("t").setContentSha256("h")
        .setSource(Source.newBuilder().setTopic("docs").setPartition(0).setOffset(0)
            .setTimestamp(timestamp).build())
        .build();
  }

  @Test
  void parsesTheThreeSpellings() {
    assertNull(EvalSplit.parse("none"));
    assertNull(EvalSplit.parse(" "));
    EvalSplit.Rule hash = EvalSplit.parse("hash:0.25");
    assertEquals(EvalSplit.Rule.Mode.HASH, hash.mode());
    assertEquals(0.25, hash.share());
    EvalSplit.Rule after = EvalSplit.parse("after:2026-12-01T00:00:00Z");
    assertEquals(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli(), after.afterMillis());
    assertEquals("after:2026-12-01T00:00:00Z", after.describe());
  }

  @Test
  void malformedRulesSayWhatToWrite() {
    for (String bad : new String[] {"hash:1.5", "hash:0", "hash:abc", "after:yesterday", "half"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> EvalSplit.parse(bad), bad);
      assertTrue(e.getMessage().contains("--evalSplit"), e.getMessage());
    }
  }

  @Test
  void hashRoutesByIdAndSeedOnlyNearTheShare() {
    EvalSplit.Rule rule = EvalSplit.parse("hash:0.2");
    int eval = 0;
    for (int i = 0; i < 5_000; i++) {
      // the timestamp does not matter to the hash rule; the same id always routes alike
      boolean a = rule.isEval(doc("d" + i, i), 42);
      assertEquals(a, rule.isEval(doc("d" + i, 1_000_000L + i), 42));
      eval += a ? 1 : 0;
    }
    assertTrue(eval > 900 && eval < 1100, "evaluation documents of 5000 at 0.2: " + eval);
    int differ = 0;
    for (int i = 0; i < 1_000; i++) {
      differ += rule.isEval(doc("d" + i, 0), 42) != rule.isEval(doc("d" + i, 0), 43) ? 1 : 0;
    }
    assertTrue(differ > 100, "another seed draws another split: " + differ);
  }

  @Test
  void afterRoutesByKafkaTimestamp() {
    EvalSplit.Rule rule = EvalSplit.parse("after:2026-12-01T00:00:00Z");
    long t = rule.afterMillis();
    assertTrue(rule.isEval(doc("a", t), 1));
    assertTrue(rule.isEval(doc("a", t + 1), 1));
    assertTrue(!rule.isEval(doc("a", t - 1), 1));
  }
}
