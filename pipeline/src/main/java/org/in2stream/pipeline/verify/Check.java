package org.in2stream.pipeline.verify;

import org.in2stream.pipeline.failure.Reason;

/**
 * The named checks of the verification chain, in the order they run, each with the reason code of the
 * dead letter it writes and the record field its score goes to. {@code docs/verification.md} explains
 * each one and its threshold.
 */
public enum Check {
  /** Every quote occurs in the piece it names (whitespace normalised). */
  EVIDENCE(Reason.QUOTE_NOT_IN_SOURCE, "evidence", true),
  /** Every content word and number of the answer is a whole token of the quotes. */
  GROUNDING(Reason.NOT_GROUNDED_IN_EVIDENCE, "groundingScore", true),
  /** Multi-segment only: without any one cited piece's quotes, some answer token is unsupported. */
  PIECE_NECESSITY(Reason.PIECE_NOT_NEEDED, "necessityScore", true),
  /** Share of the question's content words found in the evidence (NoLiMa); a cap is optional. */
  LITERAL_OVERLAP(Reason.QUESTION_OVERLAP_TOO_HIGH, "questionOverlap", true),
  /** The verifier model answers with no context; a match means the question leaks its answer. */
  CLOSED_BOOK(Reason.CLOSED_BOOK_ANSWERABLE, "closedBookScore", false),
  /** Multi-segment only: the verifier answers from the evidence minus one cited piece. */
  ABLATION(Reason.ANSWERABLE_WITHOUT_PIECE, "ablationScore", false);

  private final Reason reason;
  private final String scoreField;
  private final boolean lexical;

  Check(Reason reason, String scoreField, boolean lexical) {
    this.reason = reason;
    this.scoreField = scoreField;
    this.lexical = lexical;
  }

  public Reason reason() {
    return reason;
  }

  /** The QaPair / LongContextExample field that holds this check's score. */
  public String scoreField() {
    return scoreField;
  }

  /** True when the check needs no model call. */
  public boolean lexical() {
    return lexical;
  }

  /** The metric name, e.g. {@code verify_grounding}. */
  public String metric() {
    return "verify_" + name().toLowerCase(java.util.Locale.ROOT);
  }
}
