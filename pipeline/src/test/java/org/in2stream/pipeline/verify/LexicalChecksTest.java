package org.in2stream.pipeline.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each lexical check on hand-written cases. */
class LexicalChecksTest {
  private static final String BUDGET = "The council approved a budget of 4.2 million euros for the "
      + "new bridge on Tuesday.  Construction starts in March\nand should last two years.";
  private static final String STAFF = "The international office employs 1,200 people in Lyon.";
  private static final String MAYOR = "Mayor Ines Duarte opened the bridge in 2031 with a parade.";

  @Test
  void numbersAreComparedAsNumbers() {
    List<Quote> q = List.of(new Quote(0, BUDGET));
    assertTrue(LexicalChecks.grounding("4.2 million euros", q).passed());
    LexicalChecks.Result swapped = LexicalChecks.grounding("2.4 million euros", q);
    assertFalse(swapped.passed());
    assertTrue(swapped.problem().contains("2.4"), swapped.problem());
    List<Quote> staff = List.of(new Quote(0, STAFF));
    assertTrue(LexicalChecks.grounding("1200 people", staff).passed(), "1,200 = 1200");
    assertTrue(LexicalChecks.grounding("1,200.0 people", staff).passed());
    assertFalse(LexicalChecks.grounding("12,000 people", staff).passed());
    assertFalse(LexicalChecks.grounding("120 people", staff).passed());
  }

  @Test
  void wordsMustMatchWhole() {
    List<Quote> q = List.of(new Quote(0, STAFF));
    assertTrue(LexicalChecks.grounding("The international office", q).passed());
    LexicalChecks.Result r = LexicalChecks.grounding("The interview office", q);
    assertFalse(r.passed(), "no prefix matching: interview is not international");
    assertEquals(0.5, r.score(), 1e-9);
    assertFalse(LexicalChecks.grounding("Lyons", q).passed(), "no stemming either");
    assertFalse(LexicalChecks.grounding("the of and", q).passed(), "nothing to check is a fail");
  }

  @Test
  void quotesMustOccurInTheirPieceAfterWhitespaceNormalisation() {
    Map<Integer, String> pieces = Map.of(3, BUDGET, 7, STAFF);
    List<LexicalChecks.Located> located = new ArrayList<>();
    // Line break and double space in the text, single spaces in the quote: found.
    String quote = "Tuesday. Construction starts in March and should last two years.";
    assertNull(LexicalChecks.evidence(List.of(new Quote(3, quote)), pieces, List.of(3), located));
    LexicalChecks.Located l = located.get(0);
    assertEquals(BUDGET.indexOf("Tuesday"), l.charStart());
    assertEquals(BUDGET.length(), l.charEnd());
    // One word changed: rejected, not repaired.
    assertNotNull(LexicalChecks.evidence(List.of(new Quote(3,
        "The council approved a budget of 4.2 million dollars")), pieces, List.of(3),
        new ArrayList<>()));
    // A real sentence, but of another piece than the one it names.
    assertNotNull(LexicalChecks.evidence(List.of(new Quote(3, STAFF)), pieces, List.of(3, 7),
        new ArrayList<>()));
    // A cited piece without a quote.
    assertNotNull(LexicalChecks.evidence(List.of(new Quote(3, quote)), pieces, List.of(3, 7),
        new ArrayList<>()));
    assertNotNull(LexicalChecks.evidence(List.of(), pieces, List.of(3), new ArrayList<>()));
  }

  @Test
  void aOnePieceAnswerLabelledAsTwoPiecesIsCaught() {
    Map<Integer, String> pieces = Map.of(1, BUDGET, 3, MAYOR);
    // The answer is taken from piece 1 alone, but cites [1, 3] with a real quote of piece 3.
    List<Quote> quotes = List.of(new Quote(1, BUDGET.substring(0, BUDGET.indexOf("  "))),
        new Quote(3, MAYOR));
    LexicalChecks.Outcome o = LexicalChecks.run(true, "How much was approved for the bridge?",
        "a budget of 4.2 million euros", quotes, pieces, List.of(1, 3), 1.0);
    assertEquals(Check.PIECE_NECESSITY, o.failed(), o.message());
    assertEquals(0.0, o.scores().necessity());
    // An answer that joins a fact of each piece passes.
    LexicalChecks.Outcome both = LexicalChecks.run(true,
        "What did the council approve, and who opened the bridge?",
        "a budget of 4.2 million euros; Mayor Ines Duarte", quotes, pieces, List.of(1, 3), 1.0);
    assertTrue(both.passed(), both.message());
    assertTrue(both.scores().necessity() > 0);
    assertEquals(1.0, both.scores().grounding());
  }

  @Test
  void literalOverlapIsScoredAndCappedOnlyWhenAsked() {
    List<Quote> q = List.of(new Quote(0, MAYOR));
    assertEquals(1.0, LexicalChecks.overlap("Who opened the bridge with a parade?", q), 1e-9);
    assertEquals(0.0, LexicalChecks.overlap("Which official inaugurated the crossing?", q), 1e-9);
    Map<Integer, String> pieces = Map.of(0, MAYOR);
    LexicalChecks.Outcome off = LexicalChecks.run(false, "Who opened the bridge with a parade?",
        "Mayor Ines Duarte", q, pieces, List.of(0), 1.0);
    assertTrue(off.passed());
    assertEquals(1.0, off.scores().questionOverlap());
    LexicalChecks.Outcome capped = LexicalChecks.run(false,
        "Who opened the bridge with a parade?", "Mayor Ines Duarte", q, pieces, List.of(0), 0.5);
    assertEquals(Check.LITERAL_OVERLAP, capped.failed());
  }

  @Test
  void answerMatchUsesExactMatchAndTokenF1() {
    assertEquals(1.0, AnswerMatch.score("The Paris.", "paris"));
    assertEquals(0.0, AnswerMatch.score("UNANSWERABLE", "Paris"));
    assertEquals(0.0, AnswerMatch.score("{\"answer\": \"unanswerable\"}", "Paris"));
    double partial = AnswerMatch.score("4.2 million", "a budget of 4.2 million euros");
    assertEquals(2 * 0.4 / 1.4, partial, 1e-9); // precision 2/2, recall 2/5 (budget of 4.2 million euros)
    assertEquals(0.0, AnswerMatch.score("2.4 million", "4.2"));
  }

  @Test
  void tokensAreCanonical() {
    assertEquals(List.of("1200", "2.4", "4.2", "7", "international"),
        Tokens.all("1,200 2.40 4,2 7 International"));
    assertEquals(List.of("1.2.3"), Tokens.all("1.2.3"));
  }
}
