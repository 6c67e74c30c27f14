package org.in2stream.pipeline.synth;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.util.Seeds;
import org.in2stream.pipeline.verify.Quote;
import org.in2stream.pipeline.verify.Tokens;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Segment;

/**
 * The embedded default generator: offline, deterministic, no network. It is a <b>stand-in for an
 * LLM</b>, not a replacement: it writes fill-in-the-blank questions, not the free-form questions an
 * IN2 teacher model writes. What it guarantees is what the rest of the pipeline needs to be tested end
 * to end: every answer is a span copied from the source text (grounded), and the multi-segment kind
 * really needs two different pieces of the document.
 *
 * <ul>
 *   <li>FINE_GRAINED: one sentence of the segment with one salient span (a number, a name, or else its
 *       longest word) blanked out; the answer is that span.
 *   <li>MULTI_SEGMENT: one such sentence from each of two different pieces; the answer joins both
 *       spans ("X; Y"), and the pair is chosen so that neither span's words occur in the other
 *       piece's sentence (its quote): without either piece's evidence, part of the answer has no
 *       support (the lexical piece necessity check passes by construction).
 * </ul>
 *
 * Every answer comes with its evidence: the sentence it was blanked in, verbatim, as a quote.
 *
 * Choices are drawn from a generator keyed by the request key, so the same text always gives the same
 * question.
 */
public final class OfflineQaGenerator implements QaGenerator {
  public static final String MODEL = "in2-offline-extractive";
  public static final String PROMPT_VERSION = "offline-cloze-v2";
  static final String BLANK = "____";

  private static final int MIN_WORDS = 6;
  private static final Pattern NUMBER = Pattern.compile("\\b\\d[\\d,.]*\\d\\b|\\b\\d\\b");
  private static final Pattern NAME =
      Pattern.compile("(?<=\\s)\\p{Lu}\\p{L}+(?:\\s\\p{Lu}\\p{L}+)*");
  private static final Pattern WORD = Pattern.compile("\\p{L}{5,}");

  private final long seed;

  public OfflineQaGenerator(long seed) {
    this.seed = seed;
  }

  /** Serializable factory for workers. */
  public static QaGenerator.Factory factory(long seed) {
    return () -> new OfflineQaGenerator(seed);
  }

  @Override
  public String model() {
    return MODEL;
  }

  @Override
  public String promptVersion() {
    return PROMPT_VERSION;
  }

  @Override
  public String generationParams() {
    return "seed=" + seed;
  }

  @Override
  public CompletableFuture<QaResult> generate(QaRequest request) {
    return CompletableFuture.completedFuture(generateNow(request));
  }

  @Override
  public CompletableFuture<QaResult> generate(QaRequest request, int attempt) {
    return CompletableFuture.completedFuture(generateNow(request, attempt));
  }

  QaResult generateNow(QaRequest request) {
    return generateNow(request, 0);
  }

  /** Attempt n draws from its own generator, so a regenerated slot gets a different question. */
  QaResult generateNow(QaRequest request, int attempt) {
    SplittableRandom rng = Seeds.rng(seed, "offline-qa", attempt == 0 ? request.requestKey()
        : request.requestKey() + "#attempt" + attempt);
    if (request.kind() == Kind.FINE_GRAINED) {
      Segment segment = request.segments().get(0);
      Cloze c = cloze(segment.getText(), rng, x -> true);
      if (c == null) {
        return QaResult.failed(Reason.NO_QA, "no sentence of " + MIN_WORDS
            + "+ words with a blankable span in segment " + segment.getIndex());
      }
      String question = "Which word or phrase fills the blank in this statement? \""
          + c.blanked() + "\"";
      return QaResult.ok(question, c.span(), List.of(segment.getIndex()),
          List.of(new Quote(segment.getIndex(), c.sentence())));
    }
    List<Segment> pieces = new ArrayList<>(request.segments());
    if (pieces.size() < 2) {
      return QaResult.failed(Reason.NO_QA, "a multi-segment question needs two or more pieces");
    }
    // Draw pieces in a seeded order; the first piece with a cloze, then the first later piece with a
    // cloze independent of it (else try the next first piece).
    List<Segment> order = shuffled(pieces, rng);
    List<Segment> chosen = new ArrayList<>();
    List<Cloze> clozes = new ArrayList<>();
    for (int i = 0; i < order.size() && chosen.size() < 2; i++) {
      Cloze first = cloze(order.get(i).getText(), rng, x -> true);
      if (first == null) {
        continue;
      }
      for (int j = i + 1; j < order.size(); j++) {
        Cloze second = cloze(order.get(j).getText(), rng, x -> independent(first, x));
        if (second != null) {
          chosen = new ArrayList<>(List.of(order.get(i), order.get(j)));
          clozes = new ArrayList<>(List.of(first, second));
          break;
        }
      }
    }
    if (chosen.size() < 2) {
      return QaResult.failed(Reason.NO_QA, "fewer than two pieces have a blankable sentence");
    }
    // Present the two statements in document order so the question reads naturally.
    if (chosen.get(0).getIndex() > chosen.get(1).getIndex()) {
      chosen = List.of(chosen.get(1), chosen.get(0));
      clozes = List.of(clozes.get(1), clozes.get(0));
    }
    String question = "Two statements come from different parts of the text. Which words fill "
        + "their blanks? (1) \"" + clozes.get(0).blanked() + "\" (2) \"" + clozes.get(1).blanked()
        + "\"";
    String answer = clozes.get(0).span() + "; " + clozes.get(1).span();
    return QaResult.ok(question, answer,
        List.of(chosen.get(0).getIndex(), chosen.get(1).getIndex()),
        List.of(new Quote(chosen.get(0).getIndex(), clozes.get(0).sentence()),
            new Quote(chosen.get(1).getIndex(), clozes.get(1).sentence())));
  }

  /**
   * True when neither cloze's span is fully found in the other's sentence (its evidence quote), so
   * each piece adds answer words the other's evidence lacks: without either piece's evidence, part
   * of the answer has no source.
   */
  static boolean independent(Cloze a, Cloze b) {
    return !java.util.Set.copyOf(Tokens.all(b.sentence())).containsAll(Tokens.contentSet(a.span()))
        && !java.util.Set.copyOf(Tokens.all(a.sentence())).containsAll(Tokens.contentSet(b.span()));
  }

  /** A sentence with one span blanked out. */
  record Cloze(String sentence, String span, int spanStart) {
    String blanked() {
      return sentence.substring(0, spanStart) + BLANK + sentence.substring(spanStart + span.length());
    }
  }

  /** Picks a sentence and a span in it, or null when none qualifies. */
  static Cloze cloze(String text, SplittableRandom rng, Predicate<Cloze> accept) {
    List<String> sentences = new ArrayList<>();
    BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
    it.setText(text);
    int start = it.first();
    for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      String s = text.substring(start, end).strip();
      if (s.split("\\s+").length >= MIN_WORDS && !s.contains(BLANK) && s.indexOf('"') < 0) {
        sentences.add(s);
      }
    }
    List<Cloze> candidates = new ArrayList<>();
    for (String s : sentences) {
      Cloze c = spanOf(s);
      if (c != null && accept.test(c)) {
        candidates.add(c);
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    return candidates.get(rng.nextInt(candidates.size()));
  }

  private static Cloze spanOf(String sentence) {
    for (Pattern p : new Pattern[] {NUMBER, NAME}) {
      Matcher m = p.matcher(sentence);
      while (m.find()) {
        if (!Tokens.content(m.group()).isEmpty()) { // "The" alone states nothing
          return new Cloze(sentence, m.group(), m.start());
        }
      }
    }
    Matcher m = WORD.matcher(sentence);
    String best = null;
    int bestStart = -1;
    while (m.find()) {
      if ((best == null || m.group().length() > best.length())
          && !Tokens.content(m.group()).isEmpty()) {
        best = m.group();
        bestStart = m.start();
      }
    }
    return best == null ? null : new Cloze(sentence, best, bestStart);
  }

  private static <T> List<T> shuffled(List<T> items, SplittableRandom rng) {
    List<T> copy = new ArrayList<>(items);
    for (int i = copy.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T tmp = copy.get(i);
      copy.set(i, copy.get(j));
      copy.set(j, tmp);
    }
    return copy;
  }
}
