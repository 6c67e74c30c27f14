package org.in2stream.pipeline.verify;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The checks that need no model call, each a pure function of the QA pair and its evidence. {@link
 * #run} applies them in {@link Check} order and stops at the first that fails.
 */
public final class LexicalChecks {
  private LexicalChecks() {}

  /** A quote found in its piece: char offsets within that segment's text. */
  public record Located(int segmentIndex, int charStart, int charEnd) {}

  /** What the lexical part of the chain found: a failed check (or null), its scores and spans. */
  public record Outcome(Check failed, String message, Scores scores, List<Located> located) {
    public boolean passed() {
      return failed == null;
    }
  }

  /** A check's result: a score, and a message when it failed. */
  public record Result(double score, String problem) {
    public boolean passed() {
      return problem == null;
    }
  }

  /**
   * Runs evidence, grounding, piece necessity (multi-segment) and literal overlap.
   *
   * @param pieces segment index → text of every piece offered to the generator
   * @param cited the segment indexes the answer claims to need
   */
  public static Outcome run(boolean multiSegment, String question, String answer,
      List<Quote> quotes, Map<Integer, String> pieces, List<Integer> cited,
      double maxQuestionOverlap) {
    List<Located> located = new ArrayList<>();
    String problem = evidence(quotes, pieces, cited, located);
    if (problem != null) {
      return new Outcome(Check.EVIDENCE, problem, Scores.NONE, List.of());
    }
    Result g = grounding(answer, quotes);
    Scores scores = new Scores(g.score(), null, null, null, null);
    if (!g.passed()) {
      return new Outcome(Check.GROUNDING, g.problem(), scores, located);
    }
    Double necessity = null;
    if (multiSegment) {
      Result n = necessity(answer, quotes, cited);
      necessity = n.score();
      scores = new Scores(g.score(), necessity, null, null, null);
      if (!n.passed()) {
        return new Outcome(Check.PIECE_NECESSITY, n.problem(), scores, located);
      }
    }
    double overlap = overlap(question, quotes);
    scores = new Scores(g.score(), necessity, overlap, null, null);
    if (overlap > maxQuestionOverlap) {
      return new Outcome(Check.LITERAL_OVERLAP, String.format(Locale.ROOT, "%.0f%% of the "
          + "question's content words are in its evidence (--maxQuestionOverlap=%.2f)",
          overlap * 100, maxQuestionOverlap), scores, located);
    }
    return new Outcome(null, null, scores, located);
  }

  /**
   * Every quote occurs in the piece it names, every cited piece has a quote, and no quote names a
   * piece that was not cited. Null when all hold; fills {@code located}.
   */
  public static String evidence(List<Quote> quotes, Map<Integer, String> pieces,
      List<Integer> cited, List<Located> located) {
    if (quotes.isEmpty()) {
      return "the response gives no evidence quote";
    }
    Set<Integer> quoted = new HashSet<>();
    for (Quote q : quotes) {
      String text = pieces.get(q.segmentIndex());
      if (text == null || !cited.contains(q.segmentIndex())) {
        return "a quote names segment " + q.segmentIndex() + ", which is not a cited piece";
      }
      if (Tokens.content(q.text()).isEmpty()) {
        return "the quote \"" + excerpt(q.text()) + "\" has no content word";
      }
      int[] at = QuoteSpans.find(q.text(), text);
      if (at == null) {
        return "the quote \"" + excerpt(q.text()) + "\" does not occur in segment "
            + q.segmentIndex();
      }
      located.add(new Located(q.segmentIndex(), at[0], at[1]));
      quoted.add(q.segmentIndex());
    }
    for (int c : cited) {
      if (!quoted.contains(c)) {
        return "cited segment " + c + " has no quote";
      }
    }
    return null;
  }

  /** Every content word and number of the answer is a whole token of the quotes. */
  public static Result grounding(String answer, List<Quote> quotes) {
    List<String> words = Tokens.content(answer);
    if (words.isEmpty()) {
      return new Result(0.0, "the answer has no content word to check");
    }
    Set<String> evidence = new HashSet<>();
    quotes.forEach(q -> evidence.addAll(Tokens.all(q.text())));
    Set<String> missing = new LinkedHashSet<>();
    int found = 0;
    for (String w : words) {
      if (evidence.contains(w)) {
        found++;
      } else {
        missing.add(w);
      }
    }
    double score = (double) found / words.size();
    return new Result(score, missing.isEmpty() ? null
        : "the answer's " + String.join(", ", missing) + " not in the quoted evidence");
  }

  /**
   * Multi-segment: for each cited piece, some content token of the answer is found in that piece's
   * quotes and in no other cited piece's quotes; else the piece is not needed. Score: the smallest
   * share of answer tokens lost when one piece is removed.
   */
  public static Result necessity(String answer, List<Quote> quotes, List<Integer> cited) {
    Set<String> words = Tokens.contentSet(answer);
    if (cited.size() < 2) {
      return new Result(0.0, "a multi-segment answer cites " + cited.size() + " piece(s)");
    }
    double min = 1.0;
    for (int removed : cited) {
      Set<String> rest = new HashSet<>();
      for (Quote q : quotes) {
        if (q.segmentIndex() != removed) {
          rest.addAll(Tokens.all(q.text()));
        }
      }
      long lost = words.stream().filter(w -> !rest.contains(w)).count();
      double share = words.isEmpty() ? 0.0 : (double) lost / words.size();
      if (share == 0.0) {
        return new Result(0.0, "every answer token is in the quotes of the other pieces: "
            + "segment " + removed + " is not needed");
      }
      min = Math.min(min, share);
    }
    return new Result(min, null);
  }

  /** Share of the question's content tokens that occur in the quotes (NoLiMa's literal overlap). */
  public static double overlap(String question, List<Quote> quotes) {
    Set<String> words = Tokens.contentSet(question);
    if (words.isEmpty()) {
      return 0.0;
    }
    Set<String> evidence = new HashSet<>();
    quotes.forEach(q -> evidence.addAll(Tokens.all(q.text())));
    long found = words.stream().filter(evidence::contains).count();
    return (double) found / words.size();
  }

  private static String excerpt(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
