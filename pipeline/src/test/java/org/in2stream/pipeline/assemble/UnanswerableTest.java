package org.in2stream.pipeline.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.check.ExampleChecks;
import org.in2stream.pipeline.config.Mixture;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.verify.LexicalChecks;
import org.in2stream.pipeline.verify.Quote;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * UNANSWERABLE examples on a pool in which a third of the segments would answer some question:
 * other documents that repeat its answer, or hold every word of it in another order (they pass the
 * grounding check), plus the segments of the question's own document.
 */
class UnanswerableTest {
  private static final TextTokenizer TOK = TestTexts.tokenizer();
  private static final int QUESTIONS = 40;
  private static final List<QaPair> QA = new ArrayList<>();
  private static final List<Segment> POOL = new ArrayList<>();
  private static final Map<String, Segment> BY_ID = new HashMap<>();

  @BeforeAll
  static void plant() {
    POOL.addAll(TestTexts.pool(200, 11));
    for (int i = 0; i < QUESTIONS; i++) {
      SplittableRandom rng = new SplittableRandom(500 + i);
      String first = TestTexts.name(rng);
      String last = TestTexts.name(rng);
      String answer = first + " " + last;
      String docId = "source-" + i;
      List<Segment> own = new ArrayList<>(TestTexts.segments(docId, TestTexts.document(900 + i, 6)
          + "\nThe harbour master of the " + TestTexts.name(rng) + " port is " + answer + ".", 3));
      boolean multi = i % 2 == 1 && own.size() >= 2;
      List<Integer> needed = multi ? List.of(0, own.size() - 1) : List.of(own.size() - 1);
      QaPair qa = QaPair.newBuilder().setRequestKey("key-" + i)
          .setKind(multi ? Kind.MULTI_SEGMENT : Kind.FINE_GRAINED).setDocId(docId)
          .setQuestion("Who is the harbour master?").setAnswer(answer)
          .setSegments(multi ? own : List.of(own.get(own.size() - 1)))
          .setNeededSegmentIndexes(needed).setModel("m").setPromptVersion("p")
          .setSource(TestTexts.source(3)).build();
      QA.add(qa);
      POOL.addAll(own); // the pool holds the source document, as in a live window
      for (int k = 0; k < 4; k++) {
        String filler = TestTexts.paragraph(rng, 6);
        POOL.add(segment("repeats-" + i + "-" + k, filler + " Everyone knows " + answer
            + " from the radio."));
        POOL.add(segment("grounds-" + i + "-" + k, filler.replace("district", "county") + " "
            + last + " met the " + first + " family at the quay."));
        POOL.add(segment("grounds2-" + i + "-" + k, TestTexts.paragraph(rng, 5) + " " + last
            + " and " + first + " sailed."));
      }
    }
    for (Segment s : POOL) {
      BY_ID.put(s.getDocId() + "#" + s.getIndex(), s);
    }
  }

  private static Segment segment(String docId, String text) {
    return Segment.newBuilder().setDocId(docId).setIndex(0).setText(text)
        .setTokens(TOK.count(text)).setSource(TestTexts.source(9)).build();
  }

  private static String norm(String text) {
    return RepeatedText.normalise(text).toLowerCase(Locale.ROOT);
  }

  @ParameterizedTest
  @EnumSource(value = Placement.class)
  void noContextHoldsTheAnswerItsEvidenceOrItsDocument(Placement placement) {
    for (String hardness : List.of("random", "similar")) {
      ContextAssembler assembler = new ContextAssembler(TOK, TestTexts.settings(TOK.spec(),
          LengthDistribution.uniform(4096, 32768), placement, 0)
          .with(FillerHardness.parse(hardness, 0, false), 1));
      FillerIndex index = new FillerIndex(POOL, 42);
      int othersLeaks = 0;
      for (QaPair qa : QA) {
        ContextAssembler.Result r = assembler.assemble(qa, Kind.UNANSWERABLE, POOL, index);
        assertNull(r.failure(), () -> r.failure().getMessage());
        LongContextExample e = r.example();
        String q = qa.getDocId().substring("source-".length());
        assertEquals(Kind.UNANSWERABLE, e.getKind());
        assertEquals(TrainingTemplate.ABSTENTION, e.getAnswer());
        assertEquals(TrainingTemplate.FILM_V1.completion(TrainingTemplate.ABSTENTION),
            e.getCompletion());
        assertEquals(qa.getAnswer(), e.getWithheldAnswer());
        assertTrue(e.getAnswerSegments().isEmpty());
        assertFalse(norm(e.getContext()).contains(norm(qa.getAnswer())),
            "the context holds the answer " + qa.getAnswer());
        for (Segment own : qa.getSegments()) {
          assertFalse(norm(e.getContext()).contains(norm(own.getText())), "evidence in context");
        }
        assertFalse(e.getFillerDocIds().contains(qa.getDocId()), "a segment of its document");
        assertTrue(e.getContextTokens() >= e.getTargetTokens() - 600, "filled to its target");
        for (String id : e.getFillerSegmentIds()) {
          assertFalse(id.startsWith("repeats-" + q + "-") || id.startsWith("grounds-" + q + "-")
              || id.startsWith("grounds2-" + q + "-"), id + " would answer " + qa.getQuestion());
          assertFalse(LexicalChecks.grounding(qa.getAnswer(),
              List.of(new Quote(0, BY_ID.get(id).getText()))).passed(), id + " grounds it");
          if (id.startsWith("repeats-") || id.startsWith("grounds")) {
            othersLeaks++;
          }
        }
        assertEquals(List.of(), ExampleChecks.violations(e, TOK), e.getId());
      }
      // the rule is specific: what answers another question is still a filler here
      assertTrue(othersLeaks > QUESTIONS, othersLeaks + " fillers that answer other questions");
    }
  }

  @Test
  void examplechecksCatchAnUnanswerableContextThatHoldsTheAnswer() {
    ContextAssembler assembler = new ContextAssembler(TOK, TestTexts.settings(TOK.spec(),
        LengthDistribution.uniform(4096, 8192), Placement.SHUFFLE, 0));
    QaPair qa = QA.get(0);
    LongContextExample e = assembler.assemble(qa, Kind.UNANSWERABLE, POOL).example();
    assertNotNull(e);
    assertEquals(List.of(), ExampleChecks.violations(e, TOK));
    String leaked = e.getContext() + "\n\nIt was " + qa.getAnswer().toUpperCase(Locale.ROOT) + ".";
    LongContextExample bad = LongContextExample.newBuilder(e).setContext(leaked)
        .setContextTokens(TOK.count(leaked)).setTargetTokens(TOK.count(leaked))
        .setPrompt(TrainingTemplate.FILM_V1.render(leaked, qa.getQuestion()))
        .setPromptTokens(TOK.count(TrainingTemplate.FILM_V1.render(leaked, qa.getQuestion())))
        .build();
    bad.setAnswerCharOffset(TrainingTemplate.FILM_V1.answerCharOffset(bad.getPrompt()));
    assertEquals(List.of("UNANSWERABLE context contains the withheld answer"),
        ExampleChecks.violations(bad, TOK));
    LongContextExample answered = LongContextExample.newBuilder(e).setKind(Kind.FINE_GRAINED)
        .build();
    assertTrue(ExampleChecks.violations(answered, TOK).contains(
        "FINE_GRAINED with a withheld answer"));
  }

  @Test
  void theMixtureSetsTheShareOfUnanswerableExamples() {
    Mixture m = Mixture.parse("1:1:1:1");
    assertEquals(4, m.expectedShares().length);
    int[] counts = new int[Kind.values().length];
    int n = 8000;
    for (int i = 0; i < n; i++) {
      QaPair qa = QaPair.newBuilder(QA.get(0)).setRequestKey("draw-" + i)
          .setKind(i % 2 == 0 ? Kind.FINE_GRAINED : Kind.MULTI_SEGMENT).build();
      counts[AssembleContexts.kindOf(qa, 42, m.shortContextShare(), m.unanswerableShare())
          .ordinal()]++;
    }
    assertEquals(0.25, counts[Kind.UNANSWERABLE.ordinal()] / (double) n, 0.02);
    assertEquals(0.25, counts[Kind.SHORT_CONTEXT.ordinal()] / (double) n, 0.02);
    // without the fourth weight nothing changes: the paper's mixture has no unanswerable example
    Mixture paper = Mixture.parse("1.1M:300K:150K");
    assertEquals(Mixture.PAPER, paper);
    assertEquals(0.0, paper.unanswerableShare());
    for (int i = 0; i < 500; i++) {
      QaPair qa = QaPair.newBuilder(QA.get(0)).setRequestKey("paper-" + i).build();
      assertEquals(AssembleContexts.kindOf(qa, 42, paper.shortContextShare()),
          AssembleContexts.kindOf(qa, 42, paper.shortContextShare(), paper.unanswerableShare()));
    }
  }
}
