package org.in2stream.pipeline.verify;

/**
 * The scores the chain stored for one QA pair; null where a check did not run.
 *
 * @param grounding share of the answer's content tokens found in the quotes (1.0 to pass)
 * @param necessity multi-segment: the smallest share of answer tokens lost by removing one cited
 *     piece's quotes (above 0 to pass)
 * @param questionOverlap share of the question's content tokens found in the quotes (NoLiMa)
 * @param closedBook answer match (EM or token F1) of the verifier's reply without context
 * @param ablation multi-segment: the highest answer match of the verifier's replies with one cited
 *     piece removed
 */
public record Scores(Double grounding, Double necessity, Double questionOverlap, Double closedBook,
    Double ablation) {
  public static final Scores NONE = new Scores(null, null, null, null, null);

  public Scores withClosedBook(double s) {
    return new Scores(grounding, necessity, questionOverlap, s, ablation);
  }

  public Scores withAblation(double s) {
    return new Scores(grounding, necessity, questionOverlap, closedBook, s);
  }
}
