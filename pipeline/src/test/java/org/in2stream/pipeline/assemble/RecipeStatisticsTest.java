package org.in2stream.pipeline.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.in2stream.pipeline.Stats;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.check.ExampleChecks;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.schema.AnswerSegment;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The recipe's distributions, measured on a few thousand assembled examples with fixed seeds (so the
 * tests are deterministic): lengths fit the configured distribution, stratified depths are balanced
 * across deciles, and the structural rules hold on every example. Contexts are kept short (1.5K-6K
 * tokens) so that thousands of token-exact examples take seconds; the code paths are those of 32K.
 */
class RecipeStatisticsTest {
  private static final TextTokenizer TOK = TestTexts.tokenizer();
  private static final LengthDistribution UNIFORM = LengthDistribution.uniform(1536, 6144);
  private static final LengthDistribution BUCKETS =
      LengthDistribution.parse("buckets:1536,3072=2,6144", 0, 0);
  private static final int SOURCES = 2_400;

  private static List<Segment> pool;
  private static int smallestFiller;
  private static List<QaPair> pairs;
  private static List<LongContextExample> stratified;
  private static int stratifiedMisses;
  private static List<LongContextExample> buckets;

  @BeforeAll
  static void assemble() {
    pool = TestTexts.pool(200, 17);
    smallestFiller = pool.stream().mapToInt(Segment::getTokens).min().orElseThrow();
    pairs = new ArrayList<>();
    for (int i = 0; i < SOURCES; i++) {
      pairs.add(qa("src-" + i, 50_000 + i, i % 4 == 0 ? Kind.MULTI_SEGMENT : Kind.FINE_GRAINED));
    }
    ContextAssembler strat = new ContextAssembler(TOK,
        TestTexts.settings(TOK.spec(), UNIFORM, Placement.STRATIFIED, 0));
    stratified = new ArrayList<>();
    for (QaPair q : pairs) {
      ContextAssembler.Result r = strat.assemble(q, q.getKind(), pool);
      assertNull(r.failure(), () -> r.failure().getReason() + ": " + r.failure().getMessage());
      stratified.add(r.example());
      stratifiedMisses += r.depthMisses();
    }
    ContextAssembler shuffled = new ContextAssembler(TOK,
        TestTexts.settings(TOK.spec(), BUCKETS, Placement.SHUFFLE, 0));
    buckets = new ArrayList<>();
    for (QaPair q : pairs.subList(0, 1_200)) {
      Kind kind = q.getKind() == Kind.FINE_GRAINED && q.getDocId().hashCode() % 7 == 0
          ? Kind.SHORT_CONTEXT : q.getKind();
      buckets.add(shuffled.assemble(q, kind, pool).example());
    }
  }

  /** A QA pair about a synthetic document of 3-4 segments (needs its second, or first and last). */
  private static QaPair qa(String docId, int docSeed, Kind kind) {
    List<Segment> segs = TestTexts.segments(docId, TestTexts.document(docSeed, 8), docSeed);
    List<Segment> shown = kind == Kind.FINE_GRAINED ? List.of(segs.get(1)) : segs;
    List<Integer> needed = kind == Kind.FINE_GRAINED ? List.of(1) : List.of(0, segs.size() - 1);
    return QaPair.newBuilder().setRequestKey("key-" + docId + "-" + kind).setKind(kind)
        .setDocId(docId).setQuestion("Which number is reported?").setAnswer("42")
        .setSegments(shown).setNeededSegmentIndexes(needed).setModel("m").setPromptVersion("p")
        .setSource(TestTexts.source(docSeed)).build();
  }

  @Test
  void targetLengthsFitTheUniformDistributionAndContextsFallShortByLessThanOneFiller() {
    int[] targets = stratified.stream().mapToInt(LongContextExample::getTargetTokens).toArray();
    double ks = Stats.ks(targets, UNIFORM::cdf);
    System.out.printf("uniform lengths: KS %.4f (critical %.4f) over %d examples%n", ks,
        Stats.ksCritical99(targets.length), targets.length);
    assertTrue(ks < Stats.ksCritical99(targets.length), "KS " + ks + " over " + targets.length);
    for (LongContextExample e : stratified) {
      int shortfall = e.getTargetTokens() - e.getContextTokens();
      assertTrue(shortfall >= 0 && shortfall < smallestFiller + 8,
          "shortfall " + shortfall + " vs smallest filler " + smallestFiller);
    }
    // the realised context lengths too: within one filler of the target, so they fit the same
    // distribution shifted by less than a filler
    int[] contexts = stratified.stream().mapToInt(LongContextExample::getContextTokens).toArray();
    double ksShifted = Stats.ks(contexts, x -> UNIFORM.cdf(x + smallestFiller / 2.0));
    assertTrue(ksShifted < Stats.ksCritical99(contexts.length), "KS " + ksShifted);
  }

  @Test
  void bucketLengthsFitTheirWeights() {
    long[] counts = new long[3];
    for (LongContextExample e : buckets) {
      if (e.getKind() == Kind.SHORT_CONTEXT) {
        continue;
      }
      int t = e.getTargetTokens();
      counts[t == 1536 ? 0 : t == 3072 ? 1 : t == 6144 ? 2 : -1]++;
    }
    double chi2 = Stats.chiSquare(counts, new double[] {0.25, 0.5, 0.25});
    assertTrue(chi2 < Stats.chiSquareCritical999(2), "chi2 " + chi2 + " for " + counts[0] + "/"
        + counts[1] + "/" + counts[2]);
  }

  @Test
  void stratifiedDepthsAreBalancedAcrossDecilesAndLandInTheirDrawnDecile() {
    long[] deciles = new long[10];
    int segments = 0;
    int misses = 0;
    int feasibleMisses = 0;
    for (LongContextExample e : stratified) {
      assertEquals("stratified", e.getPlacement());
      for (AnswerSegment a : e.getAnswerSegments()) {
        deciles[StratifiedOrder.decile(a.getDepth())]++;
        segments++;
        if (StratifiedOrder.decile(a.getDepth()) != a.getDepthBin()) {
          misses++;
          // Infeasible: the segment is longer than the room left after its decile starts.
          int room = e.getContextTokens() - (a.getTokenEnd() - a.getTokenStart());
          if (room >= a.getDepthBin() * e.getContextTokens() / 10.0 + 3) {
            feasibleMisses++;
          }
        }
        assertTrue(a.getDepthBin() != null && a.getDepthBin() >= 0 && a.getDepthBin() <= 9);
      }
    }
    double[] even = new double[10];
    java.util.Arrays.fill(even, 0.1);
    double chi2 = Stats.chiSquare(deciles, even);
    System.out.printf("stratified: %d segments, deciles %s, chi2 %.2f, %d off their decile (%d "
        + "of them could have made it)%n", segments, java.util.Arrays.toString(deciles), chi2,
        misses, feasibleMisses);
    assertEquals(stratifiedMisses, misses, "the assembler counts the same misses");
    assertTrue(chi2 < Stats.chiSquareCritical999(9), "chi2 " + chi2 + " for "
        + java.util.Arrays.toString(deciles));
    // Misses are almost all segments longer than a tenth of a short context drawn into the last
    // decile, where they cannot start; at 4K-32K such segments are rare.
    assertTrue(misses <= segments / 50, misses + " of " + segments + " missed their decile");
    assertTrue(feasibleMisses <= segments / 500, feasibleMisses + " of " + segments
        + " missed a decile they could have reached");
    for (LongContextExample e : stratified) {
      if (e.getKind() == Kind.MULTI_SEGMENT) {
        Set<Integer> bins = new HashSet<>();
        e.getAnswerSegments().forEach(a -> bins.add(a.getDepthBin()));
        assertEquals(e.getAnswerSegments().size(), bins.size(), "distinct deciles per example");
      }
    }
  }

  @Test
  void shuffledDepthsAreNotStratifiedButSpreadOut() {
    long[] deciles = new long[10];
    for (LongContextExample e : buckets) {
      if (e.getKind() != Kind.SHORT_CONTEXT) {
        assertEquals("shuffle", e.getPlacement());
        e.getAnswerSegments().forEach(a -> {
          assertNull(a.getDepthBin());
          deciles[StratifiedOrder.decile(a.getDepth())]++;
        });
      }
    }
    for (long d : deciles) {
      assertTrue(d > 0, java.util.Arrays.toString(deciles));
    }
  }

  @Test
  void everyExampleKeepsTheStructuralRules() {
    List<LongContextExample> all = new ArrayList<>(stratified);
    all.addAll(buckets);
    int multi = 0;
    int shortContext = 0;
    for (LongContextExample e : all) {
      assertEquals(List.of(), ExampleChecks.violations(e, TOK), e.getId());
      QaPair q = pairs.stream().filter(p -> p.getDocId().equals(e.getSourceDocId())).findFirst()
          .orElseThrow();
      assertFalse(e.getFillerDocIds().contains(e.getSourceDocId()), "no filler from the source");
      switch (e.getKind()) {
        case MULTI_SEGMENT -> {
          multi++;
          assertTrue(e.getAnswerSegments().size() >= 2);
          for (AnswerSegment a : e.getAnswerSegments()) {
            Segment s = q.getSegments().stream().filter(x -> x.getIndex() == a.getSegmentIndex())
                .findFirst().orElseThrow();
            assertEquals(s.getText(), e.getContext().substring(a.getCharStart(), a.getCharEnd()),
                "every needed segment is in the context at its recorded span");
          }
        }
        case SHORT_CONTEXT -> {
          shortContext++;
          assertTrue(e.getFillerDocIds().isEmpty(), "no fillers in a short context");
          assertEquals(e.getContextTokens(), e.getTargetTokens());
        }
        default -> assertEquals(1, e.getAnswerSegments().size());
      }
      assertEquals(e.getPrompt().length(), e.getAnswerCharOffset(), "FILM: answer follows prompt");
    }
    assertTrue(multi >= 600, "multi-segment examples: " + multi);
    assertTrue(shortContext >= 50, "short-context examples: " + shortContext);
  }
}
