package org.in2stream.pipeline.synth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.verify.AnswerMatch;
import org.in2stream.pipeline.verify.Check;
import org.in2stream.pipeline.verify.LexicalChecks;
import org.in2stream.pipeline.verify.Level;
import org.in2stream.pipeline.verify.Quote;
import org.in2stream.pipeline.verify.Scores;
import org.in2stream.pipeline.verify.VerifySettings;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Segment;

/**
 * One question slot, from the first response to a verified QA pair or a dead letter: asks the
 * generator (attempt 0, 1, ... up to {@code --qaAttempts}), runs the verification chain on each
 * response (lexical checks, then closed-book and ablation through the generator's {@link Asker}), and
 * regenerates when a response is rejected. Each attempt has its own cache key and sampling seed, so a
 * replay walks the same attempts without a call. The future always completes.
 */
public final class QaAttempts {
  /** Reasons worth another attempt: the response was read and rejected for its content. */
  private static final java.util.Set<Reason> REGENERATE = java.util.EnumSet.of(
      Reason.NO_QA, Reason.LLM_NOT_JSON, Reason.LLM_WRONG_SHAPE, Reason.LLM_EMPTY_CHOICES,
      Reason.LLM_TRUNCATED, Reason.LLM_REFUSED, Reason.LLM_UNGROUNDED, Reason.LLM_PROMPT_LEAK,
      Reason.LLM_INJECTION_SUSPECTED, Reason.QUOTE_NOT_IN_SOURCE, Reason.NOT_GROUNDED_IN_EVIDENCE,
      Reason.PIECE_NOT_NEEDED, Reason.ANSWERABLE_WITHOUT_PIECE, Reason.CLOSED_BOOK_ANSWERABLE,
      Reason.QUESTION_OVERLAP_TOO_HIGH);

  private final QaGenerator generator;
  private final VerifySettings settings;

  public QaAttempts(QaGenerator generator, VerifySettings settings) {
    this.generator = generator;
    this.settings = settings;
  }

  /** A check's verdict on one response, for the pass/fail counts. */
  public record Verdict(Check check, boolean passed) {}

  /**
   * The slot's end: the accepted result (or the last failure), its scores, which attempt it was,
   * the responses the chain rejected ("responseKey REASON": those before the accepted one, or all
   * of a slot that failed), every check verdict of every attempt,
   * and the accounting of all calls (generation and verification).
   */
  public record Outcome(QaResult result, Scores scores, int attempt, List<String> rejected,
      List<Verdict> verdicts, List<LexicalChecks.Located> located, CallStats stats) {}

  public CompletableFuture<Outcome> run(QaRequest request) {
    return attempt(request, 0, new ArrayList<>(), new ArrayList<>(), CallStats.NONE);
  }

  private CompletableFuture<Outcome> attempt(QaRequest request, int n, List<String> rejected,
      List<Verdict> verdicts, CallStats stats) {
    CompletableFuture<QaResult> generated;
    try {
      generated = generator.generate(request, n);
    } catch (RuntimeException e) {
      generated = CompletableFuture.completedFuture(QaResult.failed(Reason.GENERATOR_ERROR,
          e.toString()));
    }
    return generated
        .exceptionally(e -> QaResult.failed(Reason.GENERATOR_ERROR, String.valueOf(e)))
        .thenCompose(r -> verify(request, r, verdicts).thenCompose(v -> {
          CallStats all = stats.plus(r.stats()).plus(v.stats());
          if (v.result().isOk()) {
            return CompletableFuture.completedFuture(new Outcome(v.result().withStats(all),
                v.scores(), n, List.copyOf(rejected), List.copyOf(verdicts), v.located(), all));
          }
          Reason why = v.result().failureReason();
          if (REGENERATE.contains(why)) {
            rejected.add((r.responseKey() == null ? request.requestKey() + "#" + n
                : r.responseKey()) + " " + why);
            if (n + 1 < settings.qaAttempts()) {
              return attempt(request, n + 1, rejected, verdicts, all);
            }
          }
          QaResult last = v.result().withStats(all);
          return CompletableFuture.completedFuture(new Outcome(last, v.scores(), n,
              List.copyOf(rejected), List.copyOf(verdicts), List.of(), all));
        }));
  }

  /** A response after the chain: accepted, or rejected with the failed check's reason. */
  private record Checked(QaResult result, Scores scores, List<LexicalChecks.Located> located,
      CallStats stats) {}

  private CompletableFuture<Checked> verify(QaRequest request, QaResult r,
      List<Verdict> verdicts) {
    if (!r.isOk() || settings.level() == Level.NONE) {
      return done(r, Scores.NONE, List.of(), CallStats.NONE);
    }
    boolean multi = request.kind() == Kind.MULTI_SEGMENT;
    Map<Integer, String> pieces = new LinkedHashMap<>();
    for (Segment s : request.segments()) {
      pieces.put(s.getIndex(), s.getText());
    }
    LexicalChecks.Outcome lexical = LexicalChecks.run(multi, r.question(), r.answer(),
        r.evidence(), pieces, r.neededSegmentIndexes(), settings.maxQuestionOverlap());
    for (Check c : Check.values()) {
      if (!c.lexical() || c == Check.PIECE_NECESSITY && !multi) {
        continue;
      }
      if (c == lexical.failed()) {
        verdicts.add(new Verdict(c, false));
        break;
      }
      verdicts.add(new Verdict(c, true));
    }
    if (!lexical.passed()) {
      return done(r.rejected(lexical.failed().reason(), lexical.failed().name() + ": "
          + lexical.message()), lexical.scores(), List.of(), CallStats.NONE);
    }
    Asker asker = generator.asker();
    if (settings.level() != Level.FULL || asker == null) {
      return done(r, lexical.scores(), lexical.located(), CallStats.NONE);
    }
    return asker.ask("closed-book", r.question(), List.of()).thenCompose(book -> {
      if (!book.isOk()) {
        return done(r.rejected(book.failure(), "closed-book call: " + book.message()),
            lexical.scores(), List.of(), book.stats());
      }
      double closed = AnswerMatch.score(book.text(), r.answer());
      Scores scores = lexical.scores().withClosedBook(closed);
      boolean leaks = closed >= settings.closedBookThreshold();
      verdicts.add(new Verdict(Check.CLOSED_BOOK, !leaks));
      if (leaks && settings.dropClosedBook()) {
        return done(r.rejected(Reason.CLOSED_BOOK_ANSWERABLE, String.format(java.util.Locale.ROOT,
            "CLOSED_BOOK: the verifier answered without context (match %.2f >= %.2f): %s",
            closed, settings.closedBookThreshold(), excerpt(book.text()))), scores, List.of(),
            book.stats());
      }
      if (!multi) {
        return done(r, scores, lexical.located(), book.stats());
      }
      return ablate(r, 0, 0.0, scores, lexical.located(), book.stats(), verdicts);
    });
  }

  /** Asks the question of the evidence without cited piece i, then the next; stops at a match. */
  private CompletableFuture<Checked> ablate(QaResult r, int i, double max, Scores scores,
      List<LexicalChecks.Located> located, CallStats stats, List<Verdict> verdicts) {
    List<Integer> cited = r.neededSegmentIndexes();
    if (i == cited.size()) {
      verdicts.add(new Verdict(Check.ABLATION, true));
      return done(r, scores.withAblation(max), located, stats);
    }
    int removed = cited.get(i);
    List<String> rest = new ArrayList<>();
    for (Quote q : r.evidence()) {
      if (q.segmentIndex() != removed) {
        rest.add(q.text());
      }
    }
    return generator.asker().ask("ablation", r.question(), rest).thenCompose(a -> {
      CallStats all = stats.plus(a.stats());
      if (!a.isOk()) {
        return done(r.rejected(a.failure(), "ablation call: " + a.message()), scores, List.of(),
            all);
      }
      double s = AnswerMatch.score(a.text(), r.answer());
      double m = Math.max(max, s);
      if (s >= settings.ablationThreshold()) {
        verdicts.add(new Verdict(Check.ABLATION, false));
        return done(r.rejected(Reason.ANSWERABLE_WITHOUT_PIECE, String.format(
            java.util.Locale.ROOT, "ABLATION: without segment %d the verifier still answers "
            + "(match %.2f >= %.2f): %s", removed, s, settings.ablationThreshold(),
            excerpt(a.text()))), scores.withAblation(m), List.of(), all);
      }
      return ablate(r, i + 1, m, scores, located, all, verdicts);
    });
  }

  private static CompletableFuture<Checked> done(QaResult r, Scores s,
      List<LexicalChecks.Located> located, CallStats stats) {
    return CompletableFuture.completedFuture(new Checked(r, s, located, stats));
  }

  private static String excerpt(String s) {
    return s == null ? "" : s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }
}
