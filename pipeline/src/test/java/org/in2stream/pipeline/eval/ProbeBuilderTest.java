package org.in2stream.pipeline.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.schema.Document;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Probe;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;

class ProbeBuilderTest {
  private static final List<Integer> LENGTHS = List.of(1024, 2048, 4096, 8192);

  static List<Document> documents(int n) {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      docs.add(Document.newBuilder().setId("eval-" + i).setText(TestTexts.document(500 + i, 8))
          .setContentSha256("h" + i).setSource(TestTexts.source(i)).build());
    }
    return docs;
  }

  /** A fine-grained pair about the first segment of each of the first {@code n} documents. */
  static List<QaPair> qa(List<Document> docs, int n) {
    List<QaPair> out = new ArrayList<>();
    for (Document d : docs.subList(0, n)) {
      List<Segment> segs = TestTexts.segments(d.getId(), d.getText(), 0);
      String firstWords = String.join(" ", List.of(segs.get(0).getText().split("\\s+"))
          .subList(0, 5));
      out.add(QaPair.newBuilder().setRequestKey("rk-" + d.getId()).setKind(Kind.FINE_GRAINED)
          .setDocId(d.getId()).setQuestion("What is stated about \"" + firstWords + "\"?")
          .setAnswer(firstWords).setSegments(List.of(segs.get(0)))
          .setNeededSegmentIndexes(List.of(0)).setModel("test").setPromptVersion("v")
          .setSource(d.getSource()).build());
    }
    return out;
  }

  private static ProbeBuilder.Settings settings(int perCell) {
    return new ProbeBuilder.Settings(LENGTHS, 10, perCell, ProbeBuilder.KINDS, 42, 128, 512);
  }

  @Test
  void everyCellOfTheGridGetsAProbeFromEvaluationDocumentsOnly() {
    List<Document> docs = documents(40);
    ProbeBuilder.Result r = new ProbeBuilder(TestTexts.tokenizer(), settings(1), docs,
        qa(docs, 10)).build();
    assertEquals(List.of(), r.problems());
    assertEquals(4 * LENGTHS.size() * 10, r.probes().size());
    Set<String> evalIds = new TreeSet<>();
    docs.forEach(d -> evalIds.add(d.getId()));
    Set<String> cells = new TreeSet<>();
    for (Probe p : r.probes()) {
      cells.add(p.getKind() + "/" + p.getLengthBin() + "/" + p.getDepthBin());
      assertTrue(evalIds.containsAll(p.getDocIds()), p.getId() + " uses " + p.getDocIds());
      assertTrue(p.getContextTokens() <= p.getLengthBin(), p.getId());
      assertTrue(p.getContextTokens() >= 0.85 * p.getLengthBin(),
          p.getId() + " is filled: " + p.getContextTokens());
      assertEquals(TestTexts.tokenizer().count(p.getContext()), p.getContextTokens());
      double lo = (double) p.getDepthBin() / 10 - 0.1;
      double hi = (double) (p.getDepthBin() + 1) / 10 + 0.1;
      assertTrue(p.getDepth() >= lo && p.getDepth() <= hi,
          p.getId() + " depth " + p.getDepth() + " near its bin");
      if (!p.getKind().equals("qa")) {
        int at = p.getContext().indexOf(p.getAnswer());
        assertTrue(at >= 0 && p.getContext().indexOf(p.getAnswer(), at + 1) < 0,
            p.getId() + ": the answer occurs once in the context");
      }
      if (p.getSourceDocId() != null) {
        // the needle's document gives the needle only, never a filler
        long pieces = List.of(p.getContext().split("\n\n")).stream()
            .filter(piece -> docs.stream().filter(d -> d.getId().equals(p.getSourceDocId()))
                .findFirst().orElseThrow().getText().contains(piece)).count();
        assertEquals(1, pieces, p.getId());
      }
    }
    assertEquals(4 * LENGTHS.size() * 10, cells.size());
    Set<String> tasks = new TreeSet<>();
    r.probes().forEach(p -> tasks.add(p.getTask()));
    assertEquals(Set.of("fine_grained", "forward", "backward", "bidirectional", "json",
        "key_value"), tasks);
  }

  @Test
  void theSameEvaluationSetInAnyOrderGivesTheSameProbes() {
    List<Document> docs = documents(30);
    List<QaPair> qa = qa(docs, 8);
    List<Probe> first = new ProbeBuilder(TestTexts.tokenizer(), settings(2), docs, qa).build()
        .probes();
    List<Document> shuffled = new ArrayList<>(docs);
    List<QaPair> qaShuffled = new ArrayList<>(qa);
    Collections.shuffle(shuffled, new java.util.Random(7));
    Collections.shuffle(qaShuffled, new java.util.Random(8));
    List<Probe> second = new ProbeBuilder(TestTexts.tokenizer(), settings(2), shuffled,
        qaShuffled).build().probes();
    assertEquals(first, second);
    ProbeBuilder.Settings otherSeed = new ProbeBuilder.Settings(LENGTHS, 10, 2,
        ProbeBuilder.KINDS, 43, 128, 512);
    List<Probe> third = new ProbeBuilder(TestTexts.tokenizer(), otherSeed, docs, qa).build()
        .probes();
    int differ = 0;
    for (int i = 0; i < first.size(); i++) {
      differ += first.get(i).getContext().equals(third.get(i).getContext()) ? 0 : 1;
    }
    assertTrue(differ > first.size() / 2, "another seed draws other probes: " + differ);
  }
}
