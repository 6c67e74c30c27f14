package org.in2stream.runners.tools;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;
import org.in2stream.pipeline.check.ExampleChecks;
import org.in2stream.pipeline.eval.EvalSide;
import org.in2stream.pipeline.sink.WriteExamples;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.schema.AnswerSegment;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.Source;

/**
 * Reads an output folder back, validates every record against the schemas, checks the invariants of
 * every example ({@link ExampleChecks}) and accounts for every input: each Kafka record read must end
 * as an example or a dead letter. Prints a short summary with histograms.
 */
public final class OutputReport {
  /** What was found. */
  public record Report(List<LongContextExample> examples, List<Failure> failures,
      List<String> violations, Set<String> inputsAccounted, long examplesBytes) {

    public Map<Kind, Integer> byKind() {
      Map<Kind, Integer> m = new EnumMap<>(Kind.class);
      examples.forEach(e -> m.merge(e.getKind(), 1, Integer::sum));
      return m;
    }

    public Map<String, Integer> failuresByReason() {
      Map<String, Integer> m = new TreeMap<>();
      failures.forEach(f -> m.merge(f.getReason(), 1, Integer::sum));
      return m;
    }
  }

  private OutputReport() {}

  public static void main(String[] argv) throws IOException {
    Args args;
    try {
      args = new Args(RemoteOutput.configure(argv, Set.of("output", "expectRecords")),
          Set.of("output", "expectRecords"));
      args.required("output");
    } catch (IllegalArgumentException e) {
      System.err.println("output-report: " + e.getMessage()
          + "\nusage: --output=DIR [--expectRecords=N]");
      System.exit(2);
      return;
    }
    Report r = read(args.required("output"));
    print(r, System.out);
    int expected = args.intValue("expectRecords", -1);
    boolean ok = r.violations().isEmpty();
    if (expected >= 0 && r.inputsAccounted().size() != expected) {
      System.out.printf("ACCOUNTING MISMATCH: %d records sent, %d accounted for%n", expected,
          r.inputsAccounted().size());
      ok = false;
    }
    System.exit(ok ? 0 : 1);
  }

  /**
   * Reads and checks everything below {@code output}: a local folder, or a URI of a Beam file
   * system ({@code s3://bucket/prefix}) once {@link RemoteOutput#configure} has set it up.
   */
  public static Report read(String output) throws IOException {
    if (!RemoteOutput.isRemote(output)) {
      return read(Path.of(output));
    }
    List<LongContextExample> examples = new ArrayList<>();
    long bytes = 0;
    for (RemoteOutput.RemoteFile f : RemoteOutput.list(output, WriteExamples.EXAMPLES_DIR,
        n -> true)) {
      bytes += f.sizeBytes();
      if (isPart(f.name())) {
        readInto(f.uri(), RemoteOutput.open(f), LongContextExample.class,
            LongContextExample.getClassSchema(), examples);
      }
    }
    List<Failure> failures = new ArrayList<>();
    for (RemoteOutput.RemoteFile f : RemoteOutput.list(output, WriteExamples.DEAD_LETTERS_DIR,
        OutputReport::isPart)) {
      readInto(f.uri(), RemoteOutput.open(f), Failure.class, Failure.getClassSchema(), failures);
    }
    Report report = check(examples, failures, bytes);
    List<Document> evaluation = new ArrayList<>();
    for (RemoteOutput.RemoteFile f : RemoteOutput.list(output, EVAL_DOCUMENTS,
        OutputReport::isPart)) {
      readInto(f.uri(), RemoteOutput.open(f), Document.class, Document.getClassSchema(),
          evaluation);
    }
    return withEvaluationDocuments(report, evaluation);
  }

  /** Where {@code --evalSplit} writes the documents it routed to evaluation, below the output. */
  private static final String EVAL_DOCUMENTS = EvalSide.DIR + "/" + EvalSide.DOCUMENTS_DIR;

  /** A document routed to evaluation ({@code --evalSplit}) is accounted for by eval/documents. */
  private static Report withEvaluationDocuments(Report report, List<Document> evaluation) {
    for (Document d : evaluation) {
      report.inputsAccounted().add(key(d.getSource()));
    }
    return report;
  }

  private static boolean isPart(String fileName) {
    return fileName.startsWith("part-") && fileName.endsWith(".avro");
  }

  private static <T extends SpecificRecordBase> void readInto(String name, InputStream in,
      Class<T> type, Schema expected, List<T> out) throws IOException {
    try (DataFileStream<T> reader = new DataFileStream<>(new BufferedInputStream(in, 1 << 16),
        new SpecificDatumReader<>(type))) {
      checkSchema(name, expected, reader.getSchema());
      reader.forEach(out::add);
    }
  }

  private static void checkSchema(Object file, Schema expected, Schema writer) throws IOException {
    SchemaCompatibility.SchemaPairCompatibility compat =
        SchemaCompatibility.checkReaderWriterCompatibility(expected, writer);
    if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new IOException(file + " was written with a schema incompatible with "
          + expected.getFullName() + ": " + compat.getDescription());
    }
  }

  /** Reads and checks everything below {@code output}. */
  public static Report read(Path output) throws IOException {
    List<LongContextExample> examples =
        readAll(output.resolve(WriteExamples.EXAMPLES_DIR), LongContextExample.class,
            LongContextExample.getClassSchema());
    List<Failure> failures = readAll(output.resolve(WriteExamples.DEAD_LETTERS_DIR),
        Failure.class, Failure.getClassSchema());
    Report report = check(examples, failures, sizeOf(output.resolve(WriteExamples.EXAMPLES_DIR)));
    return withEvaluationDocuments(report, readAll(output.resolve(EVAL_DOCUMENTS), Document.class,
        Document.getClassSchema()));
  }

  private static Report check(List<LongContextExample> examples, List<Failure> failures,
      long bytes) {
    List<String> violations = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> inputs = new HashSet<>();
    for (LongContextExample e : examples) {
      if (!GenericData.get().validate(LongContextExample.getClassSchema(), e)) {
        violations.add(e.getId() + ": does not validate against LongContextExample.avsc");
      }
      if (!ids.add(e.getId())) {
        violations.add(e.getId() + ": duplicate example id");
      }
      TextTokenizer tokenizer = Tokenizers.load(e.getTokenizer());
      for (String v : ExampleChecks.violations(e, tokenizer)) {
        violations.add(e.getId() + ": " + v);
      }
      inputs.add(key(e.getSource()));
    }
    for (Failure f : failures) {
      if (!GenericData.get().validate(Failure.getClassSchema(), f)) {
        violations.add("dead letter does not validate against Failure.avsc: " + f.getReason());
      }
      if (f.getSource() != null) {
        inputs.add(key(f.getSource()));
      } else {
        inputs.add("no-source:" + f.getInputSha256());
      }
    }
    return new Report(examples, failures, violations, inputs, bytes);
  }

  private static String key(Source s) {
    return s.getTopic() + "/" + s.getPartition() + "@" + s.getOffset();
  }

  /**
   * Every record of the {@code part-*.avro} files below {@code dir}, in file order, each file's
   * schema checked against {@code expected}.
   */
  static <T extends SpecificRecordBase> List<T> readAll(Path dir, Class<T> type,
      Schema expected) throws IOException {
    List<T> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(p -> isPart(p.getFileName().toString())).sorted().toList();
    }
    for (Path f : files) {
      readInto(f.toString(), Files.newInputStream(f), type, expected, out);
    }
    return out;
  }

  private static long sizeOf(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** The human summary. */
  public static void print(Report r, PrintStream out) {
    Set<String> sourceDocs = new HashSet<>();
    r.examples().forEach(e -> sourceDocs.add(e.getSourceDocId()));
    out.printf("Inputs accounted for:   %,d (records that ended as examples or dead letters)%n",
        r.inputsAccounted().size());
    out.printf("Documents with examples: %,d%n", sourceDocs.size());
    out.printf("Examples:                %,d  (%s)%n", r.examples().size(), r.byKind());
    out.printf("Dead letters:            %,d  %s%n", r.failures().size(), r.failuresByReason());
    out.printf("Example files:           %,d bytes%n", r.examplesBytes());

    int[] lengthBins = new int[9]; // 4K-wide bins up to 32K, and above
    int[] depthBins = new int[10];
    long tokens = 0;
    for (LongContextExample e : r.examples()) {
      tokens += e.getContextTokens();
      lengthBins[Math.min(8, e.getContextTokens() / 4096)]++;
      for (AnswerSegment a : e.getAnswerSegments()) {
        if (e.getKind() != Kind.SHORT_CONTEXT) {
          depthBins[Math.min(9, (int) (a.getDepth() * 10))]++;
        }
      }
    }
    out.printf("Context tokens in total: %,d%n", tokens);
    out.println("Context length (tokens):");
    for (int i = 0; i < lengthBins.length; i++) {
      String label = i < 8 ? String.format("%6d-%-6d", i * 4096, (i + 1) * 4096 - 1)
          : String.format("%6d+      ", 8 * 4096);
      out.printf("  %s %6d %s%n", label, lengthBins[i], bar(lengthBins[i], lengthBins));
    }
    out.println("Answer depth (long contexts, per needed segment):");
    for (int i = 0; i < depthBins.length; i++) {
      out.printf("  %3d%%-%3d%%    %6d %s%n", i * 10, (i + 1) * 10, depthBins[i],
          bar(depthBins[i], depthBins));
    }
    if (r.violations().isEmpty()) {
      out.println("Invariants: all " + r.examples().size() + " examples pass");
    } else {
      out.println("INVARIANT VIOLATIONS: " + r.violations().size());
      r.violations().stream().limit(20).forEach(v -> out.println("  " + v));
    }
  }

  private static String bar(int value, int[] all) {
    int max = 1;
    for (int v : all) {
      max = Math.max(max, v);
    }
    return "#".repeat((int) Math.round(40.0 * value / max));
  }
}
