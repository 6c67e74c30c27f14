package org.in2stream.pipeline.verify;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does a reply give the expected answer? The SQuAD measures on normalised text (lower case, no
 * punctuation, no articles): exact match, and token F1. A reply that says it cannot answer scores 0.
 */
public final class AnswerMatch {
  /** What a verification prompt asks the model to write when the text does not hold the answer. */
  public static final String UNANSWERABLE = "UNANSWERABLE";

  private AnswerMatch() {}

  /** 1 for a normalised exact match, else the token F1, 0 for an "unanswerable" reply. */
  public static double score(String reply, String answer) {
    if (reply == null || isUnanswerable(reply)) {
      return 0.0;
    }
    List<String> r = Tokens.all(reply).stream().filter(t -> !isArticle(t)).toList();
    List<String> a = Tokens.all(answer).stream().filter(t -> !isArticle(t)).toList();
    if (r.isEmpty() || a.isEmpty()) {
      return 0.0;
    }
    if (r.equals(a)) {
      return 1.0;
    }
    return tokenF1(r, a);
  }

  /**
   * SQuAD token F1 of two non-empty bags of normalised tokens: the harmonic mean of the shares of
   * each side's tokens (counted with multiplicity) found in the other.
   */
  public static double tokenF1(List<String> prediction, List<String> gold) {
    Map<String, Integer> counts = new HashMap<>();
    gold.forEach(t -> counts.merge(t, 1, Integer::sum));
    int common = 0;
    for (String t : prediction) {
      Integer c = counts.get(t);
      if (c != null && c > 0) {
        common++;
        counts.put(t, c - 1);
      }
    }
    if (common == 0) {
      return 0.0;
    }
    double precision = (double) common / prediction.size();
    double recall = (double) common / gold.size();
    return 2 * precision * recall / (precision + recall);
  }

  public static boolean isUnanswerable(String reply) {
    String r = reply.strip().toUpperCase(Locale.ROOT);
    return r.isEmpty() || r.contains(UNANSWERABLE) || r.equals("UNKNOWN")
        || r.startsWith("I DON'T KNOW") || r.startsWith("I DO NOT KNOW");
  }

  private static boolean isArticle(String t) {
    return t.equals("a") || t.equals("an") || t.equals("the");
  }
}
