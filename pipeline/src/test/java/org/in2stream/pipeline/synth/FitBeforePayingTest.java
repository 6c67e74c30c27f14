package org.in2stream.pipeline.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;

/** A multi-segment request sends a window of consecutive pieces that fits the budget. */
class FitBeforePayingTest {
  private static List<Segment> doc(String id, int... tokens) {
    List<Segment> out = new ArrayList<>();
    for (int i = 0; i < tokens.length; i++) {
      out.add(Segment.newBuilder().setDocId(id).setIndex(i).setText("piece " + i)
          .setTokens(tokens[i]).setSource(TestTexts.source(i)).build());
    }
    return out;
  }

  @Test
  void aDocumentThatFitsIsSentWhole() {
    List<Segment> d = doc("a", 100, 200, 300);
    assertEquals(d, SynthesizeQa.window(d, 42, 600));
  }

  @Test
  void aLongDocumentSendsConsecutivePiecesWithinTheBudget() {
    for (int n = 0; n < 50; n++) {
      List<Segment> d = doc("long-" + n, 900, 400, 500, 300, 2000, 200, 250, 700, 100, 5000);
      List<Segment> w = SynthesizeQa.window(d, 7, 1200);
      assertTrue(w.size() >= 2, w.toString());
      assertTrue(w.stream().mapToInt(Segment::getTokens).sum() <= 1200);
      for (int i = 1; i < w.size(); i++) {
        assertEquals(w.get(i - 1).getIndex() + 1, w.get(i).getIndex(), "consecutive");
      }
      assertEquals(w, SynthesizeQa.window(d, 7, 1200), "deterministic");
    }
  }

  @Test
  void noWindowMeansNoMultiSegmentRequest() {
    List<Segment> d = doc("huge", 5000, 6000, 7000);
    assertEquals(List.of(), SynthesizeQa.window(d, 1, 4096));
    OfflineQaGenerator g = new OfflineQaGenerator(1);
    for (QaRequest r : SynthesizeQa.requestsFor(d, g, 1, 3, 1.0, 4096)) {
      assertEquals(Kind.FINE_GRAINED, r.kind());
    }
  }
}
