package org.in2stream.runners.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificData;
import org.apache.parquet.hadoop.ParquetWriter;
import org.in2stream.pipeline.eval.EvalSide;
import org.in2stream.pipeline.eval.ProbeBuilder;
import org.in2stream.pipeline.sink.JsonLines;
import org.in2stream.pipeline.sink.ParquetFiles;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.schema.Document;
import org.in2stream.schema.Probe;
import org.in2stream.schema.QaPair;

/**
 * Cuts the evaluation probes ({@link ProbeBuilder}) from the evaluation side a run with {@code
 * --evalSplit} wrote under {@code <output>/eval/}, and writes them as {@code probes.jsonl} and
 * {@code probes.parquet} (the same records, sorted by id) into {@code --out} (default {@code
 * <output>/eval/probes}). A pure function of the evaluation files and the options: run it again and
 * the bytes are the same.
 *
 * <pre>scripts/probes.sh --output=out/demo [--out=DIR] [--lengths=2048,4096,8192,16384]
 *     [--depthBins=10] [--perCell=1] [--kinds=qa,document,structured,needle] [--seed=42]
 *     [--tokenizer=tiktoken:cl100k_base] [--minSegmentTokens=128] [--maxParagraphTokens=512]</pre>
 */
public final class BuildProbes {
  public static final String JSONL = "probes.jsonl";
  public static final String PARQUET = "probes.parquet";
  public static final String PROBES_DIR = "probes";
  static final Set<String> OPTIONS = Set.of("output", "out", "lengths", "depthBins", "perCell",
      "kinds", "seed", "tokenizer", "minSegmentTokens", "maxParagraphTokens");

  private BuildProbes() {}

  public static void main(String[] argv) throws IOException {
    Args args;
    try {
      args = new Args(argv, OPTIONS);
      args.required("output");
    } catch (IllegalArgumentException e) {
      System.err.println("probes: " + e.getMessage() + "\nusage: --output=DIR [--out=DIR] "
          + "[--lengths=2048,4096,8192,16384] [--depthBins=10] [--perCell=1] [--kinds=...] "
          + "[--seed=42] [--tokenizer=SPEC]");
      System.exit(2);
      return;
    }
    Path output = Path.of(args.required("output"));
    Path out = Path.of(args.get("out", output.resolve(EvalSide.DIR).resolve(PROBES_DIR)
        .toString()));
    ProbeBuilder.Settings settings = new ProbeBuilder.Settings(
        Arrays.stream(args.get("lengths", "2048,4096,8192,16384").split(","))
            .map(String::trim).map(Integer::parseInt).toList(),
        args.intValue("depthBins", 10), args.intValue("perCell", 1),
        Arrays.stream(args.get("kinds", String.join(",", ProbeBuilder.KINDS)).split(","))
            .map(String::trim).toList(),
        Long.parseLong(args.get("seed", "42")), args.intValue("minSegmentTokens", 128),
        args.intValue("maxParagraphTokens", 512));
    ProbeBuilder.Result r = build(output, out, settings,
        args.get("tokenizer", Tokenizers.DEFAULT_SPEC));
    r.problems().forEach(p -> System.err.println("probes: skipped " + p));
    System.out.printf("Probes: %d written to %s (%s, %s); %d cells skipped%n", r.probes().size(),
        out, JSONL, PARQUET, r.problems().size());
    System.exit(r.probes().isEmpty() ? 1 : 0);
  }

  /** Reads {@code <output>/eval/}, builds the probes, writes them into {@code out}. */
  public static ProbeBuilder.Result build(Path output, Path out, ProbeBuilder.Settings settings,
      String tokenizer) throws IOException {
    Path eval = output.resolve(EvalSide.DIR);
    if (!Files.isDirectory(eval.resolve(EvalSide.DOCUMENTS_DIR))) {
      throw new IOException(eval.resolve(EvalSide.DOCUMENTS_DIR) + " does not exist: run the "
          + "pipeline with --evalSplit=hash:<share> or after:<time> and --output=" + output);
    }
    List<Document> docs = OutputReport.readAll(eval.resolve(EvalSide.DOCUMENTS_DIR), Document.class,
        Document.getClassSchema());
    List<QaPair> qa = OutputReport.readAll(eval.resolve(EvalSide.QA_DIR), QaPair.class,
        QaPair.getClassSchema());
    ProbeBuilder.Result r = new ProbeBuilder(Tokenizers.load(tokenizer), settings, docs, qa)
        .build();
    write(r.probes(), out);
    return r;
  }

  /** Writes {@code probes} as JSON lines and Parquet into {@code out}. */
  public static void write(List<Probe> probes, Path out) throws IOException {
    Files.createDirectories(out);
    try (JsonLines jsonl = new JsonLines(Files.newOutputStream(out.resolve(JSONL)))) {
      for (Probe p : probes) {
        jsonl.write(p);
      }
    }
    try (OutputStream stream = Files.newOutputStream(out.resolve(PARQUET));
        ParquetWriter<Probe> parquet = ParquetFiles.writer(Probe.getClassSchema(), stream,
            SpecificData.get())) {
      for (Probe p : probes) {
        parquet.write(p);
      }
    }
  }

  /** The probes of a {@code probes.jsonl} or a folder holding one. */
  public static List<Probe> read(Path probes) throws IOException {
    Path file = Files.isDirectory(probes) ? probes.resolve(JSONL) : probes;
    List<Probe> out = new ArrayList<>();
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) {
        continue;
      }
      var n = json.readTree(line);
      List<String> docIds = new ArrayList<>();
      n.path("docIds").forEach(d -> docIds.add(d.asText()));
      out.add(Probe.newBuilder().setId(n.path("id").asText()).setKind(n.path("kind").asText())
          .setContext(n.path("context").asText()).setQuestion(n.path("question").asText())
          .setAnswer(n.path("answer").asText()).setContextTokens(n.path("contextTokens").asInt())
          .setDepth(n.path("depth").asDouble()).setLengthBin(n.path("lengthBin").asInt())
          .setDepthBin(n.path("depthBin").asInt()).setDepthBins(n.path("depthBins").asInt())
          .setTask(n.path("task").asText())
          .setSourceDocId(n.path("sourceDocId").isNull() ? null : n.path("sourceDocId").asText())
          .setDocIds(docIds).setTokenizer(n.path("tokenizer").asText())
          .setSeed(n.path("seed").asLong()).build());
    }
    return out;
  }
}
