package org.in2stream.runners.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.in2stream.pipeline.verify.AnswerMatch;
import org.in2stream.schema.Probe;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Scores predictions of evaluation probes: exact match and token F1 after SQuAD-style normalisation
 * ({@link #normalize}), per probe kind and per (context length x depth bin) cell, and flags the cells
 * whose mean token F1 is below {@code --threshold} ("lost in the middle" when they sit between good
 * edges). Writes {@code score.md} (Markdown tables) and {@code heatmap.png} (XChart, headless) into
 * {@code --out}. A probe without a prediction (or with a failed one) scores 0 and is counted.
 *
 * <pre>scripts/score.sh --probes=DIR --predictions=FILE.jsonl [--out=DIR] [--threshold=0.5]</pre>
 */
public final class ScoreProbes {
  public static final String MARKDOWN = "score.md";
  public static final String HEATMAP = "heatmap.png";
  static final Set<String> OPTIONS = Set.of("probes", "predictions", "out", "threshold", "title");
  private static final Pattern PUNCTUATION = Pattern.compile("[\\p{P}\\p{S}]");
  private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final ObjectMapper JSON = new ObjectMapper();

  private ScoreProbes() {}

  /** Sums of one group of probes. */
  public static final class Tally {
    int n;
    double em;
    double f1;

    void add(double emScore, double f1Score) {
      n++;
      em += emScore;
      f1 += f1Score;
    }

    public int n() {
      return n;
    }

    public double em() {
      return n == 0 ? Double.NaN : em / n;
    }

    public double f1() {
      return n == 0 ? Double.NaN : f1 / n;
    }
  }

  /**
   * The scores of a run.
   *
   * @param grid (length, depth bin) → tally over every kind
   * @param gridByKind kind → (length, depth bin) → tally
   * @param flagged cells (over every kind) whose mean F1 is below the threshold, as
   *     {@code "<length>/d<bin>"}
   */
  public record Report(int probes, int missing, int failed, Map<String, Tally> byKind,
      List<Integer> lengths, int depthBins, Map<String, Tally> grid,
      Map<String, Map<String, Tally>> gridByKind, double threshold, List<String> flagged,
      Tally all) {
    public Tally cell(int length, int bin) {
      return grid.get(cellKey(length, bin));
    }
  }

  public static void main(String[] argv) throws IOException {
    Args args;
    try {
      args = new Args(argv, OPTIONS);
      args.required("probes");
      args.required("predictions");
    } catch (IllegalArgumentException e) {
      System.err.println("score: " + e.getMessage() + "\nusage: --probes=DIR "
          + "--predictions=FILE.jsonl [--out=DIR] [--threshold=0.5] [--title=TEXT]");
      System.exit(2);
      return;
    }
    System.setProperty("java.awt.headless", "true");
    Path predictions = Path.of(args.required("predictions"));
    Path out = Path.of(args.get("out", predictions.toAbsolutePath().getParent()
        .resolve("score").toString()));
    Report r = score(BuildProbes.read(Path.of(args.required("probes"))),
        readPredictions(predictions), Double.parseDouble(args.get("threshold", "0.5")));
    write(r, out, args.get("title", "Probe scores"));
    System.out.print(markdown(r, args.get("title", "Probe scores")));
    System.out.printf("%nScore: %s, %s%n", out.resolve(MARKDOWN), out.resolve(HEATMAP));
  }

  /**
   * SQuAD's normalisation: Unicode NFKC, lower case, punctuation and symbols removed, the articles
   * a/an/the removed, whitespace collapsed to single spaces and trimmed.
   */
  public static String normalize(String s) {
    if (s == null) {
      return "";
    }
    String t = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    t = PUNCTUATION.matcher(t).replaceAll(" ");
    t = ARTICLES.matcher(t).replaceAll(" ");
    return SPACES.matcher(t).replaceAll(" ").trim();
  }

  /** 1 when the normalised texts are equal, else 0. */
  public static double exactMatch(String prediction, String gold) {
    return prediction != null && normalize(prediction).equals(normalize(gold)) ? 1 : 0;
  }

  /** SQuAD token F1 of the normalised texts (bags of words); 1 when both are empty. */
  public static double f1(String prediction, String gold) {
    List<String> p = tokens(normalize(prediction));
    List<String> g = tokens(normalize(gold));
    if (p.isEmpty() || g.isEmpty()) {
      return p.isEmpty() && g.isEmpty() && prediction != null ? 1 : 0;
    }
    return AnswerMatch.tokenF1(p, g);
  }

  private static List<String> tokens(String normalized) {
    return normalized.isEmpty() ? List.of() : Arrays.asList(normalized.split(" "));
  }

  /**
   * The predictions of a JSON lines file, by probe id: {@code {"id": ..., "prediction": ...}};
   * {@code "prediction": null} (a failed call) is kept as null.
   */
  public static Map<String, String> readPredictions(Path file) throws IOException {
    Map<String, String> out = new HashMap<>();
    int line = 0;
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      line++;
      if (l.isBlank()) {
        continue;
      }
      JsonNode n = JSON.readTree(l);
      if (!n.hasNonNull("id") || !n.has("prediction")) {
        throw new IOException(file + ":" + line + ": each line needs \"id\" and \"prediction\"");
      }
      if (out.containsKey(n.get("id").asText())) {
        throw new IOException(file + ":" + line + ": a second prediction for " + n.get("id"));
      }
      out.put(n.get("id").asText(), n.get("prediction").isNull() ? null
          : n.get("prediction").asText());
    }
    return out;
  }

  static String cellKey(int length, int bin) {
    return length + "/d" + bin;
  }

  /** Scores {@code predictions} (by id) against {@code probes}. */
  public static Report score(List<Probe> probes, Map<String, String> predictions,
      double threshold) {
    Map<String, Tally> byKind = new TreeMap<>();
    Map<String, Tally> grid = new TreeMap<>();
    Map<String, Map<String, Tally>> gridByKind = new TreeMap<>();
    Set<Integer> lengths = new TreeSet<>();
    Tally all = new Tally();
    int depthBins = 0;
    int missing = 0;
    int failed = 0;
    for (Probe p : probes) {
      String prediction = predictions.get(p.getId());
      if (!predictions.containsKey(p.getId())) {
        missing++;
      } else if (prediction == null) {
        failed++;
      }
      double em = exactMatch(prediction, p.getAnswer());
      double f1 = prediction == null ? 0 : f1(prediction, p.getAnswer());
      String cell = cellKey(p.getLengthBin(), p.getDepthBin());
      byKind.computeIfAbsent(p.getKind(), k -> new Tally()).add(em, f1);
      grid.computeIfAbsent(cell, k -> new Tally()).add(em, f1);
      gridByKind.computeIfAbsent(p.getKind(), k -> new TreeMap<>())
          .computeIfAbsent(cell, k -> new Tally()).add(em, f1);
      all.add(em, f1);
      lengths.add(p.getLengthBin());
      depthBins = Math.max(depthBins, p.getDepthBins());
    }
    List<String> flagged = new ArrayList<>();
    for (int length : lengths) {
      for (int b = 0; b < depthBins; b++) {
        Tally t = grid.get(cellKey(length, b));
        if (t != null && t.f1() < threshold) {
          flagged.add(cellKey(length, b));
        }
      }
    }
    return new Report(probes.size(), missing, failed, byKind, List.copyOf(lengths), depthBins,
        grid, gridByKind, threshold, flagged, all);
  }

  /** Writes {@code score.md} and {@code heatmap.png} into {@code out}. */
  public static void write(Report r, Path out, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(out);
    Files.writeString(out.resolve(MARKDOWN), markdown(r, title), StandardCharsets.UTF_8);
    BitmapEncoder.saveBitmap(heatmap(r), out.resolve(HEATMAP).toString(),
        BitmapEncoder.BitmapFormat.PNG);
  }

  static String depthLabel(int bin, int bins) {
    return String.format(Locale.ROOT, "%.1f-%.1f", (double) bin / bins, (double) (bin + 1) / bins);
  }

  /** Mean token F1 per cell: x the context length, y the depth bin (0 = first, at the bottom). */
  static HeatMapChart heatmap(Report r) {
    HeatMapChart chart = new HeatMapChartBuilder().width(900).height(560)
        .title("Mean token F1 by context length x needle depth (all kinds)")
        .xAxisTitle("context length (tokens)").yAxisTitle("needle depth").build();
    chart.getStyler().setShowValue(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setMin(0);
    chart.getStyler().setMax(1);
    chart.getStyler().setRangeColors(new Color[] {new Color(0xB2182B), new Color(0xFDDBC7),
        new Color(0x2166AC)});
    List<String> x = new ArrayList<>();
    r.lengths().forEach(l -> x.add(Integer.toString(l)));
    List<String> y = new ArrayList<>();
    for (int b = 0; b < r.depthBins(); b++) {
      y.add(depthLabel(b, r.depthBins()));
    }
    List<Number[]> cells = new ArrayList<>();
    for (int i = 0; i < r.lengths().size(); i++) {
      for (int b = 0; b < r.depthBins(); b++) {
        Tally t = r.cell(r.lengths().get(i), b);
        if (t != null) {
          cells.add(new Number[] {i, b, Math.round(t.f1() * 100) / 100.0});
        }
      }
    }
    chart.addSeries("F1", x, y, cells);
    return chart;
  }

  /** The Markdown report: overall, per kind, the grid, and the flagged cells. */
  public static String markdown(Report r, String title) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(title).append("\n\n");
    md.append(String.format(Locale.ROOT, "%d probes; %d without a prediction, %d whose call "
        + "failed (both score 0). Exact match (EM) and token F1 after SQuAD normalisation (lower "
        + "case, punctuation and articles removed, whitespace collapsed).%n%n", r.probes(),
        r.missing(), r.failed()));
    md.append("| kind | probes | EM | F1 |\n|---|---:|---:|---:|\n");
    for (Map.Entry<String, Tally> e : r.byKind().entrySet()) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f |%n", e.getKey(),
          e.getValue().n(), e.getValue().em(), e.getValue().f1()));
    }
    md.append(String.format(Locale.ROOT, "| all | %d | %.3f | %.3f |%n%n", r.all().n(),
        r.all().em(), r.all().f1()));
    md.append("Mean token F1 per cell (all kinds; rows: needle depth, columns: context length; "
        + "EM in brackets; **bold**: below the threshold ").append(r.threshold()).append(").\n\n");
    grid(md, r, r.grid());
    md.append("\n");
    if (r.flagged().isEmpty()) {
      md.append("No cell is below the threshold ").append(r.threshold()).append(".\n");
    } else {
      md.append("Cells below the threshold ").append(r.threshold()).append(" (length/depth bin): ")
          .append(String.join(", ", r.flagged())).append(".\n");
      List<String> middle = new ArrayList<>();
      for (int length : r.lengths()) {
        double edges = meanF1(r, length, true);
        double inside = meanF1(r, length, false);
        if (inside < r.threshold() && edges >= r.threshold()) {
          middle.add(String.format(Locale.ROOT, "%d (edges %.2f, middle %.2f)", length, edges,
              inside));
        }
      }
      if (!middle.isEmpty()) {
        md.append("\n**Lost in the middle** at context lengths ").append(String.join(", ", middle))
            .append(": the needle is found near the start and the end (depth < 0.2 or > 0.8) "
                + "but not in between.\n");
      }
    }
    for (Map.Entry<String, Map<String, Tally>> e : r.gridByKind().entrySet()) {
      md.append("\n### ").append(e.getKey()).append("\n\n");
      grid(md, r, e.getValue());
    }
    return md.toString();
  }

  /** Mean F1 of the edge bins (centre < 0.2 or > 0.8) or of the others, at one length. */
  static double meanF1(Report r, int length, boolean edges) {
    double sum = 0;
    int n = 0;
    for (int b = 0; b < r.depthBins(); b++) {
      double centre = (b + 0.5) / r.depthBins();
      boolean edge = centre < 0.2 || centre > 0.8;
      Tally t = r.cell(length, b);
      if (edge == edges && t != null) {
        sum += t.f1 * 1.0;
        n += t.n;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private static void grid(StringBuilder md, Report r, Map<String, Tally> cells) {
    md.append("| depth |");
    r.lengths().forEach(l -> md.append(' ').append(l).append(" |"));
    md.append("\n|---|");
    r.lengths().forEach(l -> md.append("---:|"));
    md.append('\n');
    for (int b = 0; b < r.depthBins(); b++) {
      md.append("| ").append(depthLabel(b, r.depthBins())).append(" |");
      for (int length : r.lengths()) {
        Tally t = cells.get(cellKey(length, b));
        if (t == null) {
          md.append(" – |");
        } else {
          String v = String.format(Locale.ROOT, "%.2f (%.2f)", t.f1(), t.em());
          md.append(' ').append(t.f1() < r.threshold() ? "**" + v + "**" : v).append(" |");
        }
      }
      md.append('\n');
    }
  }
}
