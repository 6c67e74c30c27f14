package org.in2stream.runners.tools;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.schema.AnswerSegment;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * The dataset card of an output folder: a Markdown page ({@code README.md}) with the figures users
 * look at before they train, and PNG plots drawn with XChart. Reads and checks the folder through
 * {@link OutputReport}, so the card also says whether every example passes the invariants.
 *
 * <pre>java -cp in2-stream-runners-*-flink.jar org.in2stream.runners.tools.DatasetCard \
 *     --output=out/demo [--card=out/demo/card]</pre>
 */
public final class DatasetCard {
  public static final String CONTEXT_LENGTHS_PNG = "context-lengths.png";
  public static final String DEPTH_BY_LENGTH_PNG = "depth-by-length.png";
  public static final String KIND_MIXTURE_PNG = "kind-mixture.png";
  public static final String TOKENS_PNG = "tokens-by-kind.png";
  public static final String DEAD_LETTERS_PNG = "dead-letters.png";
  private static final int WIDTH = 900;
  private static final int HEIGHT = 500;
  private static final String[] DECILES = {"0.0-0.1", "0.1-0.2", "0.2-0.3", "0.3-0.4", "0.4-0.5",
      "0.5-0.6", "0.6-0.7", "0.7-0.8", "0.8-0.9", "0.9-1.0"};

  /** The paper's three kinds: always on the card. */
  private static final List<Kind> PAPER_KINDS =
      List.of(Kind.FINE_GRAINED, Kind.MULTI_SEGMENT, Kind.SHORT_CONTEXT);

  private DatasetCard() {}

  /** The kinds the card shows: the paper's, and any other the examples have. */
  static List<Kind> kinds(Figures f) {
    return List.copyOf(f.byKind().keySet());
  }

  /** The paper's share of a kind (0 for UNANSWERABLE, which the paper does not have). */
  private static double paperShare(Kind kind) {
    double[] paper = {1.1 / 1.55, 0.3 / 1.55, 0.15 / 1.55};
    return kind.ordinal() < paper.length ? paper[kind.ordinal()] : 0;
  }

  /** The numbers of the card, for the Markdown and for tests. */
  public record Figures(int examples, Map<Kind, Integer> byKind, Map<Kind, Long> contextTokens,
      long contextTokensTotal, long promptTokensTotal, long completionTokensTotal,
      int[] lengthBinStarts, int lengthBinWidth, long[][] lengthHistogram, long[][] depthByLength,
      long[] depthDeciles, Map<String, Integer> deadLetters, int violations, int inputsAccounted,
      Set<String> tokenizers, Set<String> templates, Set<String> placements,
      Set<String> lengthDistributions, Set<String> models, Set<Long> seeds,
      int[] contextTokenQuantiles) {}

  public static void main(String[] argv) throws IOException {
    Args args;
    try {
      args = new Args(RemoteOutput.configure(argv, Set.of("output", "card")),
          Set.of("output", "card"));
      args.required("output");
      if (RemoteOutput.isRemote(args.required("output")) && args.get("card", null) == null) {
        throw new IllegalArgumentException("--output=" + args.required("output") + " is in an "
            + "object store: give --card=DIR, a local folder for the card");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("dataset-card: " + e.getMessage() + "\nusage: --output=DIR [--card=DIR]");
      System.exit(2);
      return;
    }
    System.setProperty("java.awt.headless", "true");
    String spec = args.required("output");
    Path card = Path.of(args.get("card", Path.of(spec).resolve("card").toString()));
    Figures f = RemoteOutput.isRemote(spec) ? write(spec, card) : write(Path.of(spec), card);
    System.out.printf("Dataset card: %s (%,d examples, %,d context tokens)%n",
        card.resolve("README.md"), f.examples(), f.contextTokensTotal());
  }

  /**
   * Reads an output folder in an object store ({@code s3://bucket/prefix}, file systems set up by
   * {@link RemoteOutput#configure}), writes {@code README.md} and the PNG plots into the local
   * {@code card} folder.
   */
  public static Figures write(String output, Path card) throws IOException {
    OutputReport.Report report = OutputReport.read(output);
    String trimmed = output.endsWith("/") ? output.substring(0, output.length() - 1) : output;
    String counters = RemoteOutput.readOptional(trimmed, org.in2stream.runners.In2Main.COUNTERS_FILE);
    Figures f = figures(report);
    // The probe overlap section reads eval/ files locally; an object-store output has none here.
    return write(report, f, card, markdown(trimmed.substring(trimmed.lastIndexOf('/') + 1),
        trimmed, counters == null ? notRecorded() : boilerplateRemoved(counters), f), "");
  }

  /** Reads {@code output}, writes {@code README.md} and the PNG plots into {@code card}. */
  public static Figures write(Path output, Path card) throws IOException {
    OutputReport.Report report = OutputReport.read(output);
    Figures f = figures(report);
    return write(report, f, card, markdown(output, f),
        ProbeOverlap.markdown(output, report.examples()));
  }

  private static Figures write(OutputReport.Report report, Figures f, Path card, String markdown,
      String probeOverlap) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(card);
    save(contextLengths(f), card.resolve(CONTEXT_LENGTHS_PNG));
    save(depthByLength(f), card.resolve(DEPTH_BY_LENGTH_PNG));
    save(kindMixture(f), card.resolve(KIND_MIXTURE_PNG));
    save(tokensByKind(f), card.resolve(TOKENS_PNG));
    save(deadLetters(f), card.resolve(DEAD_LETTERS_PNG));
    Files.writeString(card.resolve("README.md"), markdown
        + HardnessCard.markdown(report.examples())
        + VerificationCard.markdown(VerificationCard.figures(report))
        + probeOverlap, StandardCharsets.UTF_8);
    return f;
  }

  /** Computes every number of the card. */
  public static Figures figures(OutputReport.Report r) {
    List<LongContextExample> examples = r.examples();
    Map<Kind, Integer> byKind = new EnumMap<>(Kind.class);
    Map<Kind, Long> tokensByKind = new EnumMap<>(Kind.class);
    for (Kind k : PAPER_KINDS) { // UNANSWERABLE (beyond the paper) only when there are some
      byKind.put(k, 0);
      tokensByKind.put(k, 0L);
    }
    long ctx = 0;
    long prompt = 0;
    long completion = 0;
    int maxTokens = 1;
    for (LongContextExample e : examples) {
      byKind.merge(e.getKind(), 1, Integer::sum);
      tokensByKind.merge(e.getKind(), (long) e.getContextTokens(), Long::sum);
      ctx += e.getContextTokens();
      prompt += e.getPromptTokens();
      completion += Math.max(0, e.getCompletionTokens());
      maxTokens = Math.max(maxTokens, e.getContextTokens());
    }
    int width = binWidth(maxTokens);
    int bins = maxTokens / width + 1;
    int[] starts = new int[bins];
    for (int i = 0; i < bins; i++) {
      starts[i] = i * width;
    }
    long[][] histogram = new long[Kind.values().length][bins];
    long[][] heat = new long[bins][10];
    long[] deciles = new long[10];
    int[] lengths = new int[examples.size()];
    for (int i = 0; i < examples.size(); i++) {
      LongContextExample e = examples.get(i);
      lengths[i] = e.getContextTokens();
      int bin = e.getContextTokens() / width;
      histogram[e.getKind().ordinal()][bin]++;
      if (e.getKind() != Kind.SHORT_CONTEXT) {
        for (AnswerSegment a : e.getAnswerSegments()) {
          int d = Math.min(9, (int) Math.floor(a.getDepth() * 10));
          heat[bin][d]++;
          deciles[d]++;
        }
      }
    }
    Arrays.sort(lengths);
    List<LongContextExample> longContexts =
        examples.stream().filter(e -> e.getKind() != Kind.SHORT_CONTEXT).toList();
    int[] quantiles = new int[5]; // min, p25, median, p75, max
    if (lengths.length > 0) {
      double[] q = {0, 0.25, 0.5, 0.75, 1};
      for (int i = 0; i < q.length; i++) {
        quantiles[i] = lengths[(int) Math.round(q[i] * (lengths.length - 1))];
      }
    }
    return new Figures(examples.size(), byKind, tokensByKind, ctx, prompt, completion, starts,
        width, histogram, heat, deciles, r.failuresByReason(), r.violations().size(),
        r.inputsAccounted().size(), distinct(examples, LongContextExample::getTokenizer),
        distinct(examples, LongContextExample::getTemplate),
        distinct(longContexts, LongContextExample::getPlacement),
        distinct(longContexts, LongContextExample::getLengthDistribution),
        distinct(examples, LongContextExample::getModel),
        new TreeSet<>(examples.stream().map(LongContextExample::getSeed).toList()), quantiles);
  }

  private static Set<String> distinct(List<LongContextExample> examples,
      Function<LongContextExample, String> field) {
    Set<String> out = new TreeSet<>();
    examples.forEach(e -> out.add(field.apply(e)));
    return out;
  }

  /** 1K, 2K, 4K, 8K or 16K: the smallest width that keeps the histogram within 17 bins. */
  static int binWidth(int maxTokens) {
    int width = 1024;
    while (maxTokens / width + 1 > 17 && width < 16_384) {
      width *= 2;
    }
    return width;
  }

  private static String k(int tokens) {
    return tokens % 1024 == 0 ? (tokens / 1024) + "K" : Integer.toString(tokens);
  }

  private static List<String> binLabels(Figures f) {
    List<String> labels = new ArrayList<>();
    for (int s : f.lengthBinStarts()) {
      labels.add(k(s) + "-" + k(s + f.lengthBinWidth()));
    }
    return labels;
  }

  static CategoryChart contextLengths(Figures f) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Context length (" + shortNames(f.tokenizers()) + ")")
        .xAxisTitle("context tokens").yAxisTitle("examples").build();
    chart.getStyler().setStacked(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setXAxisLabelRotation(45);
    List<String> labels = binLabels(f);
    for (Kind kind : kinds(f)) {
      List<Long> counts = new ArrayList<>();
      for (long c : f.lengthHistogram()[kind.ordinal()]) {
        counts.add(c);
      }
      chart.addSeries(kind.name(), labels, counts);
    }
    return chart;
  }

  static HeatMapChart depthByLength(Figures f) {
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Answer positions: depth decile x context length (needed segments)")
        .xAxisTitle("context tokens").yAxisTitle("depth (tokenStart / contextTokens)").build();
    chart.getStyler().setShowValue(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.getStyler().setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x6BAED6),
        new Color(0x08306B)});
    List<Number[]> cells = new ArrayList<>();
    for (int x = 0; x < f.depthByLength().length; x++) {
      for (int y = 0; y < 10; y++) {
        cells.add(new Number[] {x, y, f.depthByLength()[x][y]});
      }
    }
    chart.addSeries("answer segments", binLabels(f), List.of(DECILES), cells);
    return chart;
  }

  static CategoryChart kindMixture(Figures f) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Kind mixture: " + f.examples() + " examples").yAxisTitle("share of examples")
        .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setDecimalPattern("0.0%");
    List<String> kinds = new ArrayList<>();
    List<Double> actual = new ArrayList<>();
    List<Double> paper = new ArrayList<>();
    for (Kind kind : kinds(f)) {
      kinds.add(kind.name());
      actual.add(f.examples() == 0 ? 0 : f.byKind().get(kind) / (double) f.examples());
      paper.add(paperShare(kind));
    }
    chart.addSeries("this dataset", kinds, actual);
    chart.addSeries("IN2 paper (1.1M:300K:150K)", kinds, paper);
    return chart;
  }

  static CategoryChart tokensByKind(Figures f) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title(String.format(Locale.ROOT, "Context tokens in total: %,d", f.contextTokensTotal()))
        .yAxisTitle("context tokens").build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setDecimalPattern("#,##0");
    List<String> kinds = new ArrayList<>();
    List<Long> tokens = new ArrayList<>();
    for (Kind kind : kinds(f)) {
      kinds.add(kind.name());
      tokens.add(f.contextTokens().get(kind));
    }
    chart.addSeries("context tokens", kinds, tokens);
    return chart;
  }

  static CategoryChart deadLetters(Figures f) {
    int total = f.deadLetters().values().stream().mapToInt(Integer::intValue).sum();
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Dead letters by reason: " + total).yAxisTitle("records").build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setXAxisLabelRotation(30);
    chart.getStyler().setDecimalPattern("#,##0");
    List<String> reasons = new ArrayList<>(f.deadLetters().keySet());
    List<Integer> counts = new ArrayList<>(f.deadLetters().values());
    if (reasons.isEmpty()) {
      reasons.add("none");
      counts.add(0);
    }
    chart.addSeries("dead letters", reasons, counts);
    return chart;
  }

  /** {@code hf:/a/b/llama3/tokenizer.json} → {@code hf:llama3/tokenizer.json}; others unchanged. */
  static String shortNames(Set<String> tokenizers) {
    List<String> out = new ArrayList<>();
    for (String t : tokenizers) {
      if (t.startsWith("hf:")) {
        Path p = Path.of(t.substring(3));
        Path parent = p.getParent();
        out.add("hf:" + (parent == null || parent.getFileName() == null ? ""
            : parent.getFileName() + "/") + p.getFileName());
      } else {
        out.add(t);
      }
    }
    return String.join(", ", out);
  }

  private static void save(Chart<?, ?> chart, Path file) throws IOException {
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /**
   * What DropBoilerplate removed, from the counters a finished job leaves in {@code
   * job-counters.tsv}; a streaming job has no such file (its Flink metrics have the counters).
   */
  static String boilerplateRemoved(Path output) {
    Path file = output.resolve(org.in2stream.runners.In2Main.COUNTERS_FILE);
    if (!Files.isRegularFile(file)) {
      return notRecorded();
    }
    try {
      return boilerplateRemoved(Files.readString(file));
    } catch (IOException e) {
      return "unreadable " + file.getFileName() + ": " + e.getMessage();
    }
  }

  private static String notRecorded() {
    return "not recorded (no " + org.in2stream.runners.In2Main.COUNTERS_FILE + ": a streaming "
        + "job's DropBoilerplate counters are in its Flink metrics)";
  }

  /** {@link #boilerplateRemoved(Path)} from the text of {@code job-counters.tsv}. */
  static String boilerplateRemoved(String countersTsv) {
    Map<String, Long> c = new java.util.HashMap<>();
    try {
      for (String line : countersTsv.split("\n")) {
        String[] kv = line.split("\t");
        if (kv.length == 2) {
          c.put(kv[0], Long.parseLong(kv[1].trim()));
        }
      }
    } catch (NumberFormatException e) {
      return "unreadable " + org.in2stream.runners.In2Main.COUNTERS_FILE + ": " + e.getMessage();
    }
    return String.format(Locale.ROOT, "%,d segments, and lines cut out of %,d more; %,d characters "
        + "(%,d documents had boilerplate, %,d were nothing else)",
        c.getOrDefault("DropBoilerplate.segments_removed", 0L),
        c.getOrDefault("DropBoilerplate.segments_shortened", 0L),
        c.getOrDefault("DropBoilerplate.characters_removed", 0L),
        c.getOrDefault("DropBoilerplate.documents_with_boilerplate", 0L),
        c.getOrDefault("DropBoilerplate.documents_boilerplate_only", 0L));
  }

  /** The Markdown page. */
  static String markdown(Path output, Figures f) {
    return markdown(String.valueOf(output.getFileName()), output.toString(),
        boilerplateRemoved(output), f);
  }

  /** The Markdown page of the folder {@code location} (a path or a URI) called {@code name}. */
  static String markdown(String name, String location, String boilerplate, Figures f) {
    StringBuilder md = new StringBuilder();
    md.append("# Dataset card: ").append(name).append("\n\n");
    md.append("IN2-style long-context QA examples written by in2-stream to `").append(location)
        .append("`. Numbers and plots below are computed from the Avro files themselves.\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "examples", String.format(Locale.ROOT, "%,d", f.examples()));
    row(md, "inputs accounted for (examples or dead letters)",
        String.format(Locale.ROOT, "%,d", f.inputsAccounted()));
    row(md, "context tokens in total", String.format(Locale.ROOT, "%,d", f.contextTokensTotal()));
    row(md, "prompt tokens in total", String.format(Locale.ROOT, "%,d", f.promptTokensTotal()));
    row(md, "completion tokens in total",
        String.format(Locale.ROOT, "%,d", f.completionTokensTotal()));
    int[] q = f.contextTokenQuantiles();
    row(md, "context tokens min / p25 / median / p75 / max",
        q[0] + " / " + q[1] + " / " + q[2] + " / " + q[3] + " / " + q[4]);
    row(md, "tokenizer", String.join(", ", f.tokenizers()));
    row(md, "length distribution (long contexts)", String.join(", ", f.lengthDistributions()));
    row(md, "placement (long contexts)", String.join(", ", f.placements()));
    row(md, "training template", String.join(", ", f.templates()));
    row(md, "generator", String.join(", ", f.models()));
    row(md, "seed", f.seeds().toString());
    row(md, "invariant violations", f.violations() == 0 ? "none (every example checked)"
        : "**" + f.violations() + "**");
    row(md, "boilerplate removed before QA (text in >= --boilerplateMinDocuments documents of "
        + "the filler horizon)", boilerplate);
    md.append("\n## Kind mixture\n\n![kind mixture](").append(KIND_MIXTURE_PNG).append(")\n\n");
    md.append("| kind | examples | share | IN2 paper | context tokens |\n|---|---:|---:|---:|---:|\n");
    for (Kind kind : kinds(f)) {
      int n = f.byKind().get(kind);
      md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f%% | %.1f%% | %,d |%n", kind.name(),
          n, f.examples() == 0 ? 0 : 100.0 * n / f.examples(), 100 * paperShare(kind),
          f.contextTokens().get(kind)));
    }
    md.append("\n## Context lengths\n\n![context lengths](").append(CONTEXT_LENGTHS_PNG)
        .append(")\n\n![tokens by kind](").append(TOKENS_PNG).append(")\n\n");
    md.append("| context tokens | ").append(String.join(" | ",
        kinds(f).stream().map(Kind::name).toList())).append(" |\n|---")
        .append("|---:".repeat(kinds(f).size())).append("|\n");
    List<String> labels = binLabels(f);
    for (int b = 0; b < labels.size(); b++) {
      md.append("| ").append(labels.get(b));
      for (Kind kind : kinds(f)) {
        md.append(" | ").append(f.lengthHistogram()[kind.ordinal()][b]);
      }
      md.append(" |\n");
    }
    md.append("\n## Answer positions\n\n![depth by length](").append(DEPTH_BY_LENGTH_PNG)
        .append(")\n\nOne count per needed segment of a long context (FINE_GRAINED and "
            + "MULTI_SEGMENT); depth = tokenStart / contextTokens.\n\n");
    md.append("| depth | answer segments |\n|---|---:|\n");
    for (int d = 0; d < 10; d++) {
      md.append("| ").append(DECILES[d]).append(" | ").append(f.depthDeciles()[d]).append(" |\n");
    }
    md.append("\n## Dead letters\n\n![dead letters](").append(DEAD_LETTERS_PNG).append(")\n\n");
    if (f.deadLetters().isEmpty()) {
      md.append("None.\n");
    } else {
      md.append("| reason | records | meaning |\n|---|---:|---|\n");
      for (Map.Entry<String, Integer> e : new TreeMap<>(f.deadLetters()).entrySet()) {
        md.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" | ")
            .append(meaning(e.getKey())).append(" |\n");
      }
    }
    md.append("\n## How to read this card\n\n"
        + "- **Kind mixture**: the share of each IN2 data type next to the paper's "
        + "1.1M : 300K : 150K. Single-segment documents can only give fine-grained questions, and "
        + "generator failures drop questions, so a corpus of short documents shifts the mixture.\n"
        + "- **Context lengths**: counted with the tokenizer above on the final text. Long contexts "
        + "should spread over the configured distribution; short-context examples sit in the "
        + "first bin.\n"
        + "- **Answer positions**: each row a depth decile, each column a length bin. With "
        + "`--placement=stratified` the rows are even; with `shuffle` (the paper) they are even in "
        + "expectation, but multi-segment examples and short contexts leave the edges thinner.\n"
        + "- **Dead letters**: every input that did not become an example, by reason (README, "
        + "\"Dead letters\"). `CONTAMINATED` counts documents dropped by `--decontaminate`.\n");
    return md.toString();
  }

  private static void row(StringBuilder md, String name, String value) {
    md.append("| ").append(name).append(" | ").append(value).append(" |\n");
  }

  private static String meaning(String reason) {
    try {
      return Reason.valueOf(reason).meaning();
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
