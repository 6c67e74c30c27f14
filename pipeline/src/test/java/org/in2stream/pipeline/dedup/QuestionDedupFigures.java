package org.in2stream.pipeline.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The similarity figures behind {@link DeduplicateQuestions}' rule, measured on a set of QA pairs:
 * for every pair of QA pairs, the estimated Jaccard similarity of question and answer together
 * (what the step's LSH and threshold see), of the answers (the "same thing" test) and, for
 * comparison, of the questions alone (the rule that was off by default because it removed
 * questions of one sentence frame). A pair is a "same question" pair when both QA pairs belong to
 * one group (a story and its reposts, or identical question and answer), else "other"; the rule
 * also needs the questions' names and numbers to agree ({@link
 * DeduplicateQuestions.QaKeys#names}). The estimates are
 * the step's own (b-bit signatures, the same seeds), so a threshold read off this table is the one
 * the step applies. Callers write the table into {@code docs/generated/}.
 */
public final class QuestionDedupFigures {
  /** One QA pair; {@code group} is null or shared by the QA pairs that duplicate one another. */
  public record Item(String id, String group, String question, String answer) {}

  /** The pairwise similarities of one pair of items. */
  public record Similarity(boolean planted, double combined, double answers, double questions,
      boolean sameNames) {}

  private QuestionDedupFigures() {}

  /** Every pair of distinct items, with its similarities. */
  public static List<Similarity> pairs(List<Item> items) {
    MinHash question = new MinHash(DedupSettings.QUESTION_MINHASH);
    MinHash answer = new MinHash(DedupSettings.ANSWER_MINHASH);
    int n = items.size();
    byte[][] qa = new byte[n][];
    byte[][] q = new byte[n][];
    byte[][] a = new byte[n][];
    List<java.util.SortedSet<String>> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add(DeduplicateQuestions.QaKeys.names(items.get(i).question(),
          items.get(i).answer()));
      Item it = items.get(i);
      qa[i] = MinHash.bbit(question.signature(it.question() + "\n" + it.answer()));
      q[i] = MinHash.bbit(question.signature(it.question()));
      a[i] = MinHash.bbit(answer.signature(
          DeduplicateQuestions.QaKeys.answerText(it.answer())));
    }
    List<Similarity> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        boolean planted = items.get(i).group() != null
            && Objects.equals(items.get(i).group(), items.get(j).group());
        out.add(new Similarity(planted, MinHash.estimate(qa[i], qa[j]),
            MinHash.estimate(a[i], a[j]), MinHash.estimate(q[i], q[j]),
            names.get(i).equals(names.get(j))));
      }
    }
    return out;
  }

  /** Whether the rule flags a pair at these thresholds. */
  public static boolean flagged(Similarity s, double combined, double answers) {
    return s.combined() >= combined && s.answers() >= answers && s.sameNames();
  }

  /**
   * A Markdown section: the distributions of planted and different pairs, and the rule's outcome on
   * a grid of thresholds (the defaults marked).
   */
  public static String markdown(String title, List<Item> items) {
    List<Similarity> pairs = pairs(items);
    List<Similarity> planted = pairs.stream().filter(Similarity::planted).toList();
    List<Similarity> different = pairs.stream().filter(s -> !s.planted()).toList();
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "### %s%n%n%d QA pairs: %d pairs of one "
        + "group (the same question asked again: planted, or identical), %d other pairs.%n%n",
        title, items.size(), planted.size(),
        different.size()));
    md.append("| pairs | similarity | min | 1% | 50% | 99% | 99.9% | max |\n"
        + "|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (String kind : new String[] {"same question", "other"}) {
      List<Similarity> set = kind.equals("other") ? different : planted;
      if (set.isEmpty()) {
        continue;
      }
      row(md, kind, "question + answer", set.stream().mapToDouble(Similarity::combined).toArray());
      row(md, kind, "answers", set.stream().mapToDouble(Similarity::answers).toArray());
      row(md, kind, "question alone", set.stream().mapToDouble(Similarity::questions).toArray());
    }
    md.append(String.format(Locale.ROOT, "%n| question + answer >= | answers >= | same-question "
        + "pairs flagged | other pairs flagged | QA pairs with a flagged other pair |%n"
        + "|---:|---:|---:|---:|---:|%n"));
    double[] combinedGrid = {0.3, 0.4, 0.5, 0.6, 0.7};
    double[] answerGrid = {0.0, 0.3, 0.5, 0.7};
    for (double c : combinedGrid) {
      for (double a : answerGrid) {
        long caught = planted.stream().filter(s -> flagged(s, c, a)).count();
        long wrong = different.stream().filter(s -> flagged(s, c, a)).count();
        boolean[] touched = new boolean[items.size()];
        int k = 0;
        for (int i = 0; i < items.size(); i++) {
          for (int j = i + 1; j < items.size(); j++, k++) {
            Similarity s = pairs.get(k);
            if (!s.planted() && flagged(s, c, a)) {
              touched[i] = true;
              touched[j] = true;
            }
          }
        }
        int itemsTouched = 0;
        for (boolean t : touched) {
          itemsTouched += t ? 1 : 0;
        }
        boolean isDefault = c == DedupSettings.DEFAULT_QUESTION_THRESHOLD
            && a == DedupSettings.ANSWER_THRESHOLD;
        md.append(String.format(Locale.ROOT, "| %.1f%s | %.1f%s | %s | %d | %d |%n", c,
            isDefault ? " (default)" : "", a, isDefault ? " (default)" : "",
            planted.isEmpty() ? "-" : caught + "/" + planted.size(), wrong, itemsTouched));
      }
    }
    md.append(String.format(Locale.ROOT, "%nOther pairs flagged at the defaults (up to 6, the "
        + "most similar first):%n%n"));
    List<int[]> flaggedOther = new ArrayList<>();
    int k = 0;
    for (int i = 0; i < items.size(); i++) {
      for (int j = i + 1; j < items.size(); j++, k++) {
        Similarity s = pairs.get(k);
        if (!s.planted() && flagged(s, DedupSettings.DEFAULT_QUESTION_THRESHOLD,
            DedupSettings.ANSWER_THRESHOLD)) {
          flaggedOther.add(new int[] {i, j, k});
        }
      }
    }
    flaggedOther.sort((x, y) -> Double.compare(pairs.get(y[2]).combined(),
        pairs.get(x[2]).combined()));
    for (int[] f : flaggedOther.subList(0, Math.min(6, flaggedOther.size()))) {
      Similarity s = pairs.get(f[2]);
      md.append(String.format(Locale.ROOT, "- %.2f / %.2f: `%s` → `%s` | `%s` → `%s`%n",
          s.combined(), s.answers(), clip(items.get(f[0]).question()),
          clip(items.get(f[0]).answer()), clip(items.get(f[1]).question()),
          clip(items.get(f[1]).answer())));
    }
    long withoutNames = different.stream().filter(s -> s.combined()
        >= DedupSettings.DEFAULT_QUESTION_THRESHOLD && s.answers() >= DedupSettings.ANSWER_THRESHOLD)
        .count();
    md.append(String.format(Locale.ROOT, "%nWithout the names-and-numbers test, the default "
        + "thresholds flag %d other pairs.%n", withoutNames));
    long questionOnly = different.stream().filter(s -> s.questions() >= 0.6).count();
    md.append(String.format(Locale.ROOT, "%nFor comparison, the question-only rule at 0.6 (the "
        + "former setting) flags %d other pairs%s.%n", questionOnly,
        planted.isEmpty() ? "" : String.format(Locale.ROOT, " and %d/%d planted pairs",
            planted.stream().filter(s -> s.questions() >= 0.6).count(), planted.size())));
    return md.toString();
  }

  private static void row(StringBuilder md, String kind, String what, double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
        kind, what, v[0], quantile(v, 0.01), quantile(v, 0.5), quantile(v, 0.99),
        quantile(v, 0.999), v[v.length - 1]));
  }

  private static String clip(String s) {
    String one = s.replace('\n', ' ').replace('`', '\'');
    return one.length() <= 140 ? one : one.substring(0, 137) + "...";
  }

  private static double quantile(double[] sorted, double p) {
    int i = (int) Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)));
    return sorted[i];
  }
}
