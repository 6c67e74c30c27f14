package org.in2stream.pipeline.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.in2stream.pipeline.Stats;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.assemble.AssembleContexts;
import org.in2stream.pipeline.config.Mixture;
import org.in2stream.schema.Kind;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;

/** The kind mixture, as the pipeline realises it: question slots per document, then short-context. */
class MixtureTest {
  private final QaGenerator generator = new OfflineQaGenerator(42);

  private static List<Segment> doc(String id, int segments) {
    List<Segment> out = new ArrayList<>();
    for (int i = 0; i < segments; i++) {
      out.add(Segment.newBuilder().setDocId(id).setIndex(i).setText(id + " segment " + i)
          .setTokens(130).setSource(TestTexts.source(i)).build());
    }
    return out;
  }

  /** Counts of FINE_GRAINED, MULTI_SEGMENT, SHORT_CONTEXT examples over {@code docs} documents. */
  private long[] kinds(Mixture mixture, int docs, int questionsPerDocument) {
    long[] counts = new long[3];
    for (int d = 0; d < docs; d++) {
      for (QaRequest r : SynthesizeQa.requestsFor(doc("doc-" + d, 3), generator, 42,
          questionsPerDocument, mixture.multiSegmentShare())) {
        QaPair qa = QaPair.newBuilder().setRequestKey(r.requestKey()).setKind(r.kind())
            .setDocId(r.docId()).setQuestion("q").setAnswer("a").setSegments(r.segments())
            .setNeededSegmentIndexes(List.of(0)).setModel("m").setPromptVersion("p")
            .setSource(TestTexts.source(0)).build();
        counts[AssembleContexts.kindOf(qa, 42, mixture.shortContextShare()).ordinal()]++;
      }
    }
    return counts;
  }

  @Test
  void thePapersMixtureIsMetWithinSamplingError() {
    Mixture paper = Mixture.parse("1.1M:300K:150K");
    assertEquals(Mixture.PAPER, paper);
    long[] counts = kinds(paper, 6_000, 1);
    assertEquals(6_000, counts[0] + counts[1] + counts[2], "one example per document");
    double chi2 = Stats.chiSquare(counts, paper.expectedShares());
    System.out.printf("mixture 1.1M:300K:150K over 6000 documents: %d/%d/%d, chi2 %.2f%n",
        counts[0], counts[1], counts[2], chi2);
    assertTrue(chi2 < Stats.chiSquareCritical999(2), "chi2 " + chi2);
  }

  @Test
  void anotherMixtureIsMetToo() {
    Mixture even = Mixture.parse("1:1:1");
    long[] counts = kinds(even, 4_000, 1);
    double chi2 = Stats.chiSquare(counts, even.expectedShares());
    assertTrue(chi2 < Stats.chiSquareCritical999(2), "chi2 " + chi2);
    // and the test has power: these counts do not fit the paper's mixture
    assertTrue(Stats.chiSquare(counts, Mixture.PAPER.expectedShares())
        > Stats.chiSquareCritical999(2));
  }

  @Test
  void questionSlotsAskAboutDifferentSegmentsAndAtMostOneMultiSegment() {
    for (int d = 0; d < 300; d++) {
      List<QaRequest> requests = SynthesizeQa.requestsFor(doc("q-" + d, 4), generator, 42, 3,
          0.5);
      assertEquals(3, requests.size());
      Set<String> keys = new HashSet<>();
      Set<Integer> fineSegments = new HashSet<>();
      int multi = 0;
      for (QaRequest r : requests) {
        keys.add(r.requestKey());
        if (r.kind() == Kind.MULTI_SEGMENT) {
          multi++;
          assertEquals(4, r.segments().size(), "all segments of the document, as pieces");
        } else {
          assertEquals(1, r.segments().size());
          fineSegments.add(r.segments().get(0).getIndex());
        }
      }
      assertEquals(3, keys.size(), "no request twice");
      assertEquals(3 - multi, fineSegments.size(), "fine-grained slots use distinct segments");
      assertTrue(multi <= 1);
    }
  }

  @Test
  void aSingleSegmentDocumentNeverGetsAMultiSegmentQuestion() {
    for (int d = 0; d < 200; d++) {
      List<QaRequest> requests = SynthesizeQa.requestsFor(doc("one-" + d, 1), generator, 42, 2,
          1.0);
      assertEquals(1, requests.size(), "one segment: one fine-grained question, no more");
      assertEquals(Kind.FINE_GRAINED, requests.get(0).kind());
    }
  }

  @Test
  void badMixturesNameTheOption() {
    for (String bad : new String[] {"1:2", "a:b:c", "0:0:1", "-1:1:1"}) {
      assertTrue(assertThrows(IllegalArgumentException.class, () -> Mixture.parse(bad))
          .getMessage().contains("--mixture"), bad);
    }
  }
}
