package org.in2stream.runners.tools;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.in2stream.schema.LongContextExample;

/**
 * The dataset card's filler-hardness section (beyond the paper, docs/beyond-in2.md): for each
 * setting an example recorded ({@code fillerHardness}: random, similar, either +confuser), the
 * distribution of its {@code hardness}, the mean similarity of its fillers to its evidence, as a
 * quantile table and a text histogram. Examples that recorded none (the paper's default run) are
 * only counted.
 */
public final class HardnessCard {
  /** Histogram bins of width 0.05 up to 0.5, and one for 0.5 and above. */
  static final int BINS = 11;
  private static final double WIDTH = 0.05;
  private static final int BAR = 40;

  private HardnessCard() {}

  /** Hardness values by setting, sorted ascending; examples without one are left out. */
  public static Map<String, double[]> bySetting(List<LongContextExample> examples) {
    Map<String, List<Double>> lists = new TreeMap<>();
    for (LongContextExample e : examples) {
      if (e.getFillerHardness() != null && e.getHardness() != null) {
        lists.computeIfAbsent(e.getFillerHardness(), k -> new ArrayList<>()).add(e.getHardness());
      }
    }
    Map<String, double[]> out = new TreeMap<>();
    lists.forEach((k, v) -> {
      double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
      Arrays.sort(a);
      out.put(k, a);
    });
    return out;
  }

  /** The value at quantile {@code q} of sorted {@code a} (nearest rank). */
  static double quantile(double[] a, double q) {
    return a[(int) Math.round(q * (a.length - 1))];
  }

  /** The Markdown section. */
  public static String markdown(List<LongContextExample> examples) {
    Map<String, double[]> by = bySetting(examples);
    StringBuilder md = new StringBuilder("\n## Filler hardness\n\n");
    long unmeasured = examples.size() - by.values().stream().mapToLong(a -> a.length).sum();
    if (by.isEmpty()) {
      md.append("Not recorded: the paper's random fillers (`--fillerHardness=random`, no "
          + "confusers, no `--recordHardness`).\n");
      return md.toString();
    }
    md.append("Hardness of an example: the mean, over its fillers, of each filler's estimated "
        + "Jaccard similarity (MinHash of content words) to the closest needed segment. "
        + String.format(Locale.ROOT, "%,d examples recorded none (short-context examples, or "
        + "runs without hardness).%n%n", unmeasured));
    md.append("| setting | examples | mean | min | p10 | p25 | median | p75 | p90 | max |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, double[]> e : by.entrySet()) {
      double[] a = e.getValue();
      double mean = Arrays.stream(a).average().orElse(0);
      md.append(String.format(Locale.ROOT,
          "| %s | %,d | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |%n", e.getKey(),
          a.length, mean, a[0], quantile(a, 0.1), quantile(a, 0.25), quantile(a, 0.5),
          quantile(a, 0.75), quantile(a, 0.9), a[a.length - 1]));
    }
    for (Map.Entry<String, double[]> e : by.entrySet()) {
      long[] counts = histogram(e.getValue());
      long max = Arrays.stream(counts).max().orElse(1);
      md.append("\n`").append(e.getKey()).append("`\n\n```\n");
      for (int b = 0; b < BINS; b++) {
        String label = b < BINS - 1
            ? String.format(Locale.ROOT, "%.2f-%.2f", b * WIDTH, (b + 1) * WIDTH)
            : String.format(Locale.ROOT, "%.2f+    ", (BINS - 1) * WIDTH);
        int len = max == 0 ? 0 : (int) Math.round(BAR * counts[b] / (double) max);
        md.append(String.format(Locale.ROOT, "%s %6d %s%n", label, counts[b],
            "#".repeat(len)));
      }
      md.append("```\n");
    }
    return md.toString();
  }

  /** Counts of {@code values} in the {@link #BINS} bins. */
  static long[] histogram(double[] values) {
    long[] counts = new long[BINS];
    for (double v : values) {
      counts[Math.min(BINS - 1, (int) Math.floor(v / WIDTH))]++;
    }
    return counts;
  }
}
