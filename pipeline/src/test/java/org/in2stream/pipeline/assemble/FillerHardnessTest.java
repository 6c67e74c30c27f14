package org.in2stream.pipeline.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.check.ExampleChecks;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Filler hardness on a pool with planted near-copies of each evidence segment: paraphrases that
 * keep most of its words but not its answer, and one copy that still holds the answer.
 */
class FillerHardnessTest {
  private static final TextTokenizer TOK = TestTexts.tokenizer();
  /** Short contexts (a handful of fillers), so the fillers' mean similarity shows who they are. */
  private static final LengthDistribution SHORT = LengthDistribution.uniform(1200, 1600);
  private static final int QUESTIONS = 20;
  private static final int COPIES = 3;
  private static final List<QaPair> QA = new ArrayList<>();
  private static final List<Segment> POOL = new ArrayList<>();

  @BeforeAll
  static void plant() {
    POOL.addAll(TestTexts.pool(260, 5)); // about 1,000 unrelated segments
    for (int i = 0; i < QUESTIONS; i++) {
      SplittableRandom rng = new SplittableRandom(1000 + i);
      List<String> sentences = new ArrayList<>();
      for (int k = 0; k < 6; k++) {
        sentences.add(TestTexts.sentence(rng));
      }
      String vault = TestTexts.name(rng);
      String answer = "ZX-" + (4000 + i) + " " + TestTexts.name(rng);
      String evidence = String.join(" ", sentences) + " The code of the " + vault + " vault is "
          + answer + ".";
      QaPair qa = QaPair.newBuilder().setRequestKey("key-" + i).setKind(Kind.FINE_GRAINED)
          .setDocId("evidence-" + i).setQuestion("What is the code of the " + vault + " vault?")
          .setAnswer(answer).setSegments(List.of(segment("evidence-" + i, 0, evidence)))
          .setNeededSegmentIndexes(List.of(0)).setModel("m").setPromptVersion("p")
          .setSource(TestTexts.source(7)).build();
      QA.add(qa);
      POOL.add(qa.getSegments().get(0)); // the pool also holds the source's own segment
      String[] endings = {"was changed last spring.", "is kept by the night guard.",
          "was reset after the audit."};
      for (int c = 0; c < COPIES; c++) {
        POOL.add(segment("copy-" + i + "-" + c, 0, paraphrase(sentences, rng)
            + " The code of the " + vault + " vault " + endings[c]));
      }
      // the nearest copy of all, but it holds the answer: never a filler of a hard context
      POOL.add(segment("leak-" + i, 0, paraphrase(sentences, rng) + " The code of the " + vault
          + " vault is " + answer + "."));
    }
  }

  /** The sentences with a few words changed: a near-copy that a reader would call a paraphrase. */
  private static String paraphrase(List<String> sentences, SplittableRandom rng) {
    List<String> out = new ArrayList<>();
    for (String s : sentences) {
      out.add(rng.nextInt(3) == 0 ? s.replace("the office of", "the bureau of")
          .replace(" district.", " region.") : s);
    }
    return String.join(" ", out);
  }

  private static Segment segment(String docId, int index, String text) {
    return Segment.newBuilder().setDocId(docId).setIndex(index).setText(text)
        .setTokens(TOK.count(text)).setSource(TestTexts.source(9)).build();
  }

  private static ContextAssembler assembler(FillerHardness hardness) {
    return new ContextAssembler(TOK, TestTexts.settings(TOK.spec(), SHORT, Placement.SHUFFLE, 0)
        .with(hardness, 0));
  }

  private static int copiesIn(LongContextExample e, int question) {
    int n = 0;
    for (String id : e.getFillerSegmentIds()) {
      if (id.startsWith("copy-" + question + "-")) {
        n++;
      }
    }
    return n;
  }

  @Test
  void similarChoosesTheNearCopiesAndRandomDoesNotByRecordedHardness() {
    ContextAssembler similar = assembler(FillerHardness.parse("similar", 0, false));
    ContextAssembler random = assembler(FillerHardness.parse("random", 0, true));
    FillerIndex index = new FillerIndex(POOL, 42);
    double similarSum = 0;
    double randomSum = 0;
    int randomCopies = 0;
    int randomWithCopies = 0;
    for (int i = 0; i < QUESTIONS; i++) {
      QaPair qa = QA.get(i);
      LongContextExample s = similar.assemble(qa, Kind.FINE_GRAINED, POOL, index).example();
      LongContextExample r = random.assemble(qa, Kind.FINE_GRAINED, POOL, index).example();
      assertNotNull(s);
      assertNotNull(r);
      assertEquals("similar", s.getFillerHardness());
      assertEquals("random", r.getFillerHardness());
      assertEquals(List.of(), ExampleChecks.violations(s, TOK), s.getId());
      assertEquals(List.of(), ExampleChecks.violations(r, TOK), r.getId());
      // the recorded hardness says who the fillers are, in both directions
      assertTrue(s.getHardness() >= 0.3, "similar example " + i + ": hardness " + s.getHardness());
      // A random draw may pick a planted paraphrase (at most a tenth of them, below); an example
      // whose random fillers hold none of them is low.
      if (copiesIn(r, i) == 0) {
        assertTrue(r.getHardness() < 0.2, "random example " + i + " (no planted copy): hardness "
            + r.getHardness());
      } else {
        randomWithCopies++;
        System.out.printf(Locale.ROOT, "random example %d drew %d planted copies: hardness %.4f%n",
            i, copiesIn(r, i), r.getHardness());
      }
      assertTrue(s.getHardness() > r.getHardness());
      assertEquals(COPIES, copiesIn(s, i), "every paraphrased copy is a filler: "
          + s.getFillerSegmentIds());
      assertFalse(s.getFillerSegmentIds().contains("leak-" + i + "#0"),
          "the copy that holds the answer is never a filler");
      assertEquals(1, occurrences(s.getContext(), qa.getAnswer()), "the answer appears once");
      similarSum += s.getHardness();
      randomSum += r.getHardness();
      randomCopies += copiesIn(r, i);
    }
    assertTrue(randomCopies <= QUESTIONS * COPIES / 10, "random fillers picked " + randomCopies
        + " of the " + QUESTIONS * COPIES + " planted copies");
    assertTrue(randomWithCopies < QUESTIONS / 4, randomWithCopies + " random examples drew copies");
    assertTrue(randomSum / QUESTIONS < 0.2, "mean random hardness " + randomSum / QUESTIONS);
    System.out.printf(Locale.ROOT, "mean hardness over %d examples: similar %.4f, random %.4f%n",
        QUESTIONS, similarSum / QUESTIONS, randomSum / QUESTIONS);
  }

  private static int occurrences(String text, String needle) {
    int n = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void thePapersDefaultRecordsNothingAndRandomOrderIsUnchangedByMeasuring() {
    ContextAssembler paper = new ContextAssembler(TOK, TestTexts.settings(TOK.spec(), SHORT,
        Placement.SHUFFLE, 0));
    ContextAssembler measured = assembler(FillerHardness.parse("random", 0, true));
    for (int i = 0; i < 5; i++) {
      LongContextExample p = paper.assemble(QA.get(i), Kind.FINE_GRAINED, POOL).example();
      LongContextExample m = measured.assemble(QA.get(i), Kind.FINE_GRAINED, POOL).example();
      assertNull(p.getFillerHardness());
      assertNull(p.getHardness());
      assertNotNull(m.getHardness());
      assertEquals(p.getContext(), m.getContext(), "measuring does not change the fillers");
    }
  }

  @Test
  void sameInputAndConfigGiveTheSameRecordsForSimilarAndMixed() {
    for (String mode : List.of("similar", "mixed:0.5")) {
      FillerHardness h = FillerHardness.parse(mode, 0.25, false);
      ContextAssembler a = assembler(h);
      ContextAssembler b = assembler(h);
      FillerIndex shared = new FillerIndex(POOL, 42);
      List<LongContextExample> first = new ArrayList<>();
      for (QaPair qa : QA) {
        first.add(a.assemble(qa, Kind.FINE_GRAINED, POOL, shared).example());
      }
      // again: a fresh assembler, a fresh index over a copy of the pool, the questions in reverse
      List<LongContextExample> second = new ArrayList<>();
      List<Segment> copy = new ArrayList<>(POOL);
      FillerIndex fresh = new FillerIndex(copy, 42);
      for (int i = QA.size() - 1; i >= 0; i--) {
        second.add(0, b.assemble(QA.get(i), Kind.FINE_GRAINED, copy, fresh).example());
      }
      assertEquals(first, second, mode);
      Set<String> labels = new HashSet<>();
      for (LongContextExample e : first) {
        labels.add(e.getFillerHardness());
        assertEquals(h.similarFor(42, e.getId()) ? "similar+confuser" : "random+confuser",
            e.getFillerHardness());
        assertEquals(List.of(), ExampleChecks.violations(e, TOK), e.getId());
      }
      if (mode.startsWith("mixed")) {
        assertEquals(Set.of("similar+confuser", "random+confuser"), labels,
            "mixed:0.5 gives both settings over " + QA.size() + " examples");
      }
    }
  }

  @Test
  void confusersShareTheQuestionsKeyTermsButNotTheAnswer() {
    ContextAssembler confusing = assembler(FillerHardness.parse("random", 0.5, false));
    FillerIndex index = new FillerIndex(POOL, 42);
    int withCopies = 0;
    for (int i = 0; i < QUESTIONS; i++) {
      QaPair qa = QA.get(i);
      LongContextExample e = confusing.assemble(qa, Kind.FINE_GRAINED, POOL, index).example();
      assertEquals("random+confuser", e.getFillerHardness());
      assertFalse(e.getFillerSegmentIds().contains("leak-" + i + "#0"));
      assertEquals(1, occurrences(e.getContext(), qa.getAnswer()));
      // the vault's name is a key term that only the copies share: they are the confusers
      withCopies += copiesIn(e, i) > 0 ? 1 : 0;
    }
    assertTrue(withCopies >= QUESTIONS - 2, withCopies + " of " + QUESTIONS
        + " examples got a confuser");
  }

  @Test
  void similarityIndexAgreesWithAFullScan() {
    FillerIndex index = new FillerIndex(POOL, 42);
    List<long[]> evidence = List.of(index.signature(QA.get(3).getSegments().get(0).getText()));
    int[] ranked = index.mostSimilar(evidence, 7);
    Set<Integer> touched = new HashSet<>();
    for (int i : ranked) {
      touched.add(i);
    }
    for (int i = 0; i < POOL.size(); i++) {
      double sim = index.similarity(i, evidence);
      assertEquals(sim > 0, touched.contains(i), "segment " + i + " similarity " + sim);
    }
    for (int k = 1; k < ranked.length; k++) {
      assertTrue(index.similarity(ranked[k - 1], evidence)
          >= index.similarity(ranked[k], evidence), "ranked most similar first");
    }
  }
}
