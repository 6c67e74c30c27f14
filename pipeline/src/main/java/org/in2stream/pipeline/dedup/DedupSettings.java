package org.in2stream.pipeline.dedup;

import java.io.Serializable;
import java.util.List;
import org.joda.time.Duration;

/**
 * The dedup settings of the job: one horizon of event time for documents and questions, and the
 * estimated-Jaccard thresholds. The MinHash parameters are fixed here, not options: changing them
 * changes which documents are kept on a replay.
 *
 * <ul>
 *   <li>Documents: word 5-gram shingles, 14 bands x 8 rows = 112 permutations, seed 1: datatrove's
 *       {@code MinhashConfig} defaults (LSH threshold (1/14)^(1/8) = 0.72; a pair at Jaccard 0.8 is
 *       a candidate with probability 0.924); candidates are then verified against
 *       {@link #nearThreshold()} (0.8 by default, NeMo Curator's {@code jaccard_threshold}).</li>
 *   <li>Questions ({@link DeduplicateQuestions}): word bigram shingles (unigrams under 8 words)
 *       of the question and its answer together, 37 bands x 3 rows = 111 permutations (LSH threshold
 *       0.30: a pair at the default 0.4 is a candidate with probability 0.91, at 0.5 with 0.99),
 *       verified against {@link #questionThreshold()} ({@link #DEFAULT_QUESTION_THRESHOLD}
 *       by default; 0 turns the step off); and the answers must ask for the same thing: content-word
 *       unigrams of the answers, 32 permutations ({@link #ANSWER_MINHASH}), estimated Jaccard at
 *       least {@link #ANSWER_THRESHOLD}. Both thresholds come from the similarity distributions
 *       measured in VerificationIT and on the offline generator's output
 *       ({@code docs/generated/question-dedup.md}).</li>
 * </ul>
 */
public record DedupSettings(long horizonHours, double nearThreshold, double questionThreshold,
    double recrawlThreshold) implements Serializable {
  public static final MinHash.Params DOCUMENT_MINHASH = new MinHash.Params(5, 14, 8, 1L);
  public static final MinHash.Params QUESTION_MINHASH = new MinHash.Params(2, 37, 3, 1L);
  public static final long DEFAULT_HORIZON_HOURS = 7 * 24;
  public static final double DEFAULT_NEAR_THRESHOLD = 0.8;
  /**
   * A later fetch of the same page (equal document id) at or above this estimated Jaccard
   * similarity is a NEAR_DUPLICATE. Below the document threshold because a page and its re-crawl
   * with a new date line, ad block and footer can fall under 0.8 (docs/dedup.md, "Re-crawls").
   */
  public static final double DEFAULT_RECRAWL_THRESHOLD = 0.6;
  public static final MinHash.Params ANSWER_MINHASH = new MinHash.Params(1, 1, 32, 2L);
  public static final double DEFAULT_QUESTION_THRESHOLD = 0.4;
  /** Answers at or above this estimated Jaccard similarity ask for the same thing. */
  public static final double ANSWER_THRESHOLD = 0.7;
  /** The option defaults. */
  public static final DedupSettings DEFAULT = new DedupSettings(DEFAULT_HORIZON_HOURS,
      DEFAULT_NEAR_THRESHOLD, DEFAULT_QUESTION_THRESHOLD, DEFAULT_RECRAWL_THRESHOLD);

  /** The default re-crawl threshold. */
  public DedupSettings(long horizonHours, double nearThreshold, double questionThreshold) {
    this(horizonHours, nearThreshold, questionThreshold, DEFAULT_RECRAWL_THRESHOLD);
  }

  /** Adds a message per invalid value, naming the option to change. */
  public void check(List<String> errors) {
    if (horizonHours < 0) {
      errors.add("--dedupHorizonHours must be >= 0 (got " + horizonHours + ")");
    }
    if (horizonHours > 24L * 366) {
      errors.add("--dedupHorizonHours must be <= " + 24L * 366 + " (a year; got " + horizonHours
          + "): the dedup state grows with the horizon");
    }
    if (!(nearThreshold > 0 && nearThreshold <= 1)) {
      errors.add("--nearDuplicateThreshold must be in (0, 1] (got " + nearThreshold + ")");
    }
    if (!(recrawlThreshold >= 0 && recrawlThreshold <= 1)) {
      errors.add("--recrawlThreshold must be 0 (off) or in (0, 1] (got " + recrawlThreshold + ")");
    }
    if (!(questionThreshold >= 0 && questionThreshold <= 1)) {
      errors.add("--duplicateQuestionThreshold must be 0 (off) or in (0, 1] (got "
          + questionThreshold + ")");
    }
  }

  public Duration horizon() {
    return Duration.standardHours(horizonHours);
  }

  /** Near-duplicate documents. */
  public NearDuplicates.Settings documents() {
    return new NearDuplicates.Settings(DOCUMENT_MINHASH, nearThreshold, horizon(),
        recrawlThreshold);
  }

  /** Whether the near-duplicate question step runs. */
  public boolean questionsOn() {
    return questionThreshold > 0;
  }

  /** Near-duplicate questions (when {@link #questionsOn()}). */
  public NearDuplicates.Settings questions() {
    return new NearDuplicates.Settings(QUESTION_MINHASH, questionThreshold, horizon());
  }
}
