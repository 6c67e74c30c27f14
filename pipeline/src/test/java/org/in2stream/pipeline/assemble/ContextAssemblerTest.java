package org.in2stream.pipeline.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.check.ExampleChecks;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.schema.AnswerSegment;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ContextAssemblerTest {
  private static final TextTokenizer TOK = TestTexts.tokenizer();
  private static List<Segment> pool;
  private final ContextAssembler assembler = new ContextAssembler(TOK, TestTexts.settings(
      TOK.spec(), LengthDistribution.uniform(4096, 32768), Placement.SHUFFLE, 0));

  @BeforeAll
  static void buildPool() {
    pool = TestTexts.pool(260, 5); // about 1,000 segments, ~200K tokens
  }

  private static QaPair qa(String docId, int docSeed, Kind kind) {
    List<Segment> segs = TestTexts.segments(docId, TestTexts.document(docSeed, 8), 7);
    List<Segment> shown = kind == Kind.FINE_GRAINED ? List.of(segs.get(1)) : segs;
    List<Integer> needed = kind == Kind.FINE_GRAINED ? List.of(segs.get(1).getIndex())
        : List.of(0, segs.size() - 1);
    return QaPair.newBuilder().setRequestKey("key-" + docId + "-" + kind).setKind(kind)
        .setDocId(docId).setQuestion("Which number?").setAnswer("42").setSegments(shown)
        .setNeededSegmentIndexes(needed).setModel("m").setPromptVersion("p")
        .setSource(TestTexts.source(7)).build();
  }

  @Test
  void fineGrainedContextsAreTokenExactAndSound() {
    for (int i = 0; i < 30; i++) {
      QaPair q = qa("doc-" + i, i, Kind.FINE_GRAINED);
      ContextAssembler.Result r = assembler.assemble(q, Kind.FINE_GRAINED, pool);
      assertNull(r.failure(), () -> r.failure().getMessage());
      LongContextExample e = r.example();
      assertEquals(TOK.count(e.getContext()), e.getContextTokens(), "counted on the final text");
      assertTrue(e.getContextTokens() <= e.getTargetTokens());
      assertTrue(e.getTargetTokens() >= 4096 && e.getTargetTokens() <= 32768);
      assertEquals(List.of(), ExampleChecks.violations(e, TOK));

      AnswerSegment a = e.getAnswerSegments().get(0);
      String answerText = q.getSegments().get(0).getText();
      assertEquals(answerText, e.getContext().substring(a.getCharStart(), a.getCharEnd()));
      assertEquals(e.getContext().indexOf(answerText), e.getContext().lastIndexOf(answerText),
          "answer segment present exactly once");
      assertTrue(!e.getFillerDocIds().contains(q.getDocId()), "no filler from the source doc");
      assertEquals(e.getFillerSegmentIds().size(), new HashSet<>(e.getFillerSegmentIds()).size(),
          "no filler repeated");
    }
  }

  @Test
  void shortfallIsBelowOneFillerSegment() {
    int smallest = pool.stream().mapToInt(Segment::getTokens).min().orElseThrow();
    for (int i = 0; i < 20; i++) {
      LongContextExample e =
          assembler.assemble(qa("s-" + i, 100 + i, Kind.FINE_GRAINED), Kind.FINE_GRAINED, pool)
              .example();
      int shortfall = e.getTargetTokens() - e.getContextTokens();
      assertTrue(shortfall >= 0 && shortfall < smallest + 8,
          "shortfall " + shortfall + " vs smallest filler " + smallest);
    }
  }

  @Test
  void depthVariesAcrossExamples() {
    Set<Integer> deciles = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      LongContextExample e =
          assembler.assemble(qa("d-" + i, 200 + i, Kind.FINE_GRAINED), Kind.FINE_GRAINED, pool)
              .example();
      deciles.add((int) (e.getAnswerSegments().get(0).getDepth() * 10));
    }
    assertTrue(deciles.size() >= 7, "answers land in " + deciles.size() + " of 10 depth deciles");
  }

  @Test
  void multiSegmentShufflesTheWholeDocumentAmongFillers() {
    QaPair q = qa("multi", 9, Kind.MULTI_SEGMENT);
    LongContextExample e = assembler.assemble(q, Kind.MULTI_SEGMENT, pool).example();
    assertNotNull(e);
    assertEquals(2, e.getAnswerSegments().size());
    for (Segment s : q.getSegments()) {
      assertTrue(e.getContext().contains(s.getText()), "every piece of the document is present");
    }
    assertEquals(List.of(), ExampleChecks.violations(e, TOK));
  }

  @Test
  void shortContextKeepsOnlyItsOwnText() {
    QaPair q = qa("short", 11, Kind.FINE_GRAINED);
    LongContextExample e = assembler.assemble(q, Kind.SHORT_CONTEXT, pool).example();
    assertEquals(q.getSegments().get(0).getText(), e.getContext());
    assertTrue(e.getFillerDocIds().isEmpty());
    assertEquals(e.getContextTokens(), e.getTargetTokens());
    assertEquals(List.of(), ExampleChecks.violations(e, TOK));
  }

  @Test
  void sameInputGivesTheSameExample() {
    QaPair q = qa("det", 12, Kind.FINE_GRAINED);
    assertEquals(assembler.assemble(q, Kind.FINE_GRAINED, pool).example(),
        assembler.assemble(q, Kind.FINE_GRAINED, pool).example());
  }

  @Test
  void aPoolBelowTheShortestLengthIsADeadLetter() {
    ContextAssembler.Result r = assembler.assemble(qa("tiny", 13, Kind.FINE_GRAINED),
        Kind.FINE_GRAINED, pool.subList(0, 5));
    assertNull(r.example());
    assertEquals(Reason.INSUFFICIENT_FILLER.name(), r.failure().getReason());
    assertTrue(r.failure().getMessage().contains("below --minContextTokens=4096"),
        r.failure().getMessage());
  }

  @Test
  void aPoolShortOfTheSampledLengthButAboveTheShortestGivesTheLongestContextItFills() {
    // About 7,000 tokens of fillers: enough for the shortest length (4,096), not for most draws.
    List<Segment> small = new ArrayList<>();
    int tokens = 0;
    for (Segment s : pool) {
      if (tokens >= 7_000) {
        break;
      }
      if (!s.getDocId().startsWith("short-pool")) {
        small.add(s);
        tokens += s.getTokens();
      }
    }
    int shortened = 0;
    for (int i = 0; i < 20; i++) {
      QaPair q = qa("short-pool-" + i, 300 + i, Kind.FINE_GRAINED);
      LongContextExample full = assembler.assemble(q, Kind.FINE_GRAINED, pool).example();
      ContextAssembler.Result r = assembler.assemble(q, Kind.FINE_GRAINED, small);
      assertNull(r.failure(), () -> r.failure().getMessage());
      LongContextExample e = r.example();
      assertEquals(List.of(), ExampleChecks.violations(e, TOK));
      assertTrue(e.getContextTokens() >= 4096 && e.getContextTokens() <= e.getTargetTokens());
      if (e.getTargetTokens() < full.getTargetTokens()) {
        shortened++;
        assertEquals(small.size(), e.getFillerSegmentIds().size(),
            "a shortened context holds every segment of the pool");
        assertEquals(e.getContextTokens(), e.getTargetTokens(), "the target is what was filled");
      } else {
        assertEquals(full.getTargetTokens(), e.getTargetTokens());
      }
    }
    assertTrue(shortened >= 10, shortened + " of 20 draws above the pool's 7,000 tokens");
  }

  @Test
  void fillersOfTheSourceDocumentAreNeverUsed() {
    // A pool made only of the source document's own segments cannot fill anything.
    QaPair q = qa("filler-3", 14, Kind.FINE_GRAINED);
    List<Segment> own = pool.stream().filter(s -> s.getDocId().equals("filler-3")).toList();
    ContextAssembler.Result r = assembler.assemble(q, Kind.FINE_GRAINED, own);
    assertEquals(Reason.INSUFFICIENT_FILLER.name(), r.failure().getReason());
  }

  @ParameterizedTest
  @MethodSource("tokenizerSpecs")
  void tokenCountsOfTheFinalTextEqualTheRecordedCounts(String spec) {
    TextTokenizer tok = Tokenizers.load(spec);
    List<Segment> ownPool = new ArrayList<>();
    for (int d = 0; d < 60; d++) {
      ownPool.addAll(TestTexts.segments("f-" + d, TestTexts.document(900 + d, 6), d, tok));
    }
    ContextAssembler a = new ContextAssembler(tok, TestTexts.settings(spec,
        LengthDistribution.uniform(2048, 8192), Placement.STRATIFIED, 0));
    for (int i = 0; i < 12; i++) {
      Kind kind = Kind.values()[i % 3];
      List<Segment> segs = TestTexts.segments("t-" + i, TestTexts.document(700 + i, 8), i, tok);
      QaPair q = QaPair.newBuilder().setRequestKey("tok-" + i).setKind(
              kind == Kind.MULTI_SEGMENT ? kind : Kind.FINE_GRAINED)
          .setDocId("t-" + i).setQuestion("Which district is named? 日本語 🙂")
          .setAnswer("The Kalo district.")
          .setSegments(kind == Kind.MULTI_SEGMENT ? segs : List.of(segs.get(0)))
          .setNeededSegmentIndexes(kind == Kind.MULTI_SEGMENT ? List.of(0, 1) : List.of(0))
          .setModel("m").setPromptVersion("p").setSource(TestTexts.source(i)).build();
      LongContextExample e = a.assemble(q, kind, ownPool).example();
      assertEquals(spec, e.getTokenizer());
      assertEquals(tok.count(e.getContext()), e.getContextTokens());
      assertEquals(tok.count(e.getPrompt()), e.getPromptTokens());
      assertEquals(tok.count(e.getCompletion()), e.getCompletionTokens());
      for (Segment s : e.getKind() == Kind.SHORT_CONTEXT ? List.<Segment>of() : ownPool) {
        if (e.getFillerSegmentIds().contains(s.getDocId() + "#" + s.getIndex())) {
          assertEquals(tok.count(s.getText()), s.getTokens(), "segment counts are recorded");
        }
      }
      assertEquals(List.of(), ExampleChecks.violations(e, tok));
    }
  }

  static List<String> tokenizerSpecs() {
    return List.of("tiktoken:cl100k_base", "tiktoken:o200k_base", TestTexts.hfSpec());
  }

  @Test
  void theRenderedPromptPlusTheAnswerReserveFitsTheMaximumSequence() {
    LengthDistribution lengths = LengthDistribution.uniform(16_000, 32_768);
    AssembleContexts.Settings tight = new AssembleContexts.Settings(TOK.spec(),
        TrainingTemplate.CHATML_V1, 42, lengths, Placement.SHUFFLE, 12_000, 300, 0, "test");
    ContextAssembler a = new ContextAssembler(TOK, tight);
    for (int i = 0; i < 8; i++) {
      LongContextExample e = a.assemble(qa("seq-" + i, 300 + i, Kind.FINE_GRAINED),
          Kind.FINE_GRAINED, pool).example();
      assertTrue(e.getPromptTokens() + 300 <= 12_000, "prompt " + e.getPromptTokens());
      assertTrue(e.getPromptTokens() + 300 > 12_000 - 400, "the budget is used, not wasted");
      assertTrue(e.getTargetTokens() < 12_000, "the target is capped by the sequence");
      assertEquals(12_000, e.getMaxSequenceTokens());
      assertEquals("chatml-v1", e.getTemplate());
      String sequence = e.getPrompt() + e.getCompletion();
      assertEquals(e.getAnswer(), sequence.substring(e.getAnswerCharOffset(),
          e.getAnswerCharOffset() + e.getAnswer().length()));
      assertTrue(e.getCompletion().endsWith("<|im_end|>"));
      assertEquals(List.of(), ExampleChecks.violations(e, TOK));
    }
  }
}
