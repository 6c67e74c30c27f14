package org.in2stream.runners.tools;

import com.google.common.io.CountingOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetWriter;
import org.in2stream.pipeline.sink.JsonLines;
import org.in2stream.pipeline.sink.ParquetFiles;
import org.in2stream.pipeline.sink.WriteExamples;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.TokenBudget;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.schema.LongContextExample;

/**
 * Converts the examples of an output folder (every window, every shard) into files a trainer loads
 * as they are: Parquet or JSON lines, in one of the {@link TrainerSchema} layouts, sharded by size.
 * Streaming: one record at a time from the Avro files (sorted by path, so the row order and the
 * bytes are the same on every run), never the whole dataset in memory.
 *
 * <p>With {@code --maxSequenceTokens} and {@code --tokenizer} (the training model's tokenizer), rows
 * whose texts plus {@code --templateTokens} exceed the limit are dropped and counted, instead of
 * being silently truncated by the trainer. Writes the trainer configs and a summary (counts,
 * files, schema) into the card folder ({@link TrainerConfigs}); the output folder holds only the
 * shards, so trainers that load a whole folder see nothing else.
 *
 * <pre>
 * scripts/export.sh --input=out/demo --output=out/demo/export/messages --format=parquet --schema=messages
 * </pre>
 */
public final class Export {
  static final Set<String> OPTIONS = Set.of("input", "output", "format", "schema", "shardMb",
      "maxSequenceTokens", "tokenizer", "templateTokens", "system", "card", "split", "sampleInto");
  static final String USAGE = """
      scripts/export.sh --input=DIR --output=DIR --format=parquet|jsonl \\
          --schema=messages|prompt-completion|text|raw [--shardMb=256] \\
          [--maxSequenceTokens=N --tokenizer=hf:/path/tokenizer.json|tiktoken:NAME \\
           [--templateTokens=64]] [--system=TEXT] [--card=DIR] [--split=train] [--sampleInto=FILE]
        --input             an output folder of the pipeline (its examples/ are read, all windows);
                            s3://bucket/prefix too, with the job's --awsRegion/--endpoint/
                            --s3ClientFactoryClass options and --card
        --output            folder for the shards only (<split>-00000-of-0000N.<format>)
        --format            parquet or jsonl
        --schema            messages, prompt-completion, text or raw
        --shardMb           start a new shard after this many MB (default 256)
        --maxSequenceTokens drop (and count) rows longer than this in the training tokenizer
        --tokenizer         the training tokenizer, for --maxSequenceTokens
        --templateTokens    tokens the trainer's chat template adds per row (default 64; 1 for text/raw: EOS)
        --system            a system turn put first in messages / prompt (default none)
        --card              where the trainer configs and export-<schema>-<format>.json go (default <input>/card)
        --split             the shard file prefix (default train)
        --sampleInto        a Markdown file whose <!-- sample-row:begin/end --> block gets the first row, abridged
      """;

  /** What an export did. */
  record Result(long rowsRead, long rowsWritten, Map<String, Long> droppedByKind, List<Path> files,
      long bytesRead, long bytesWritten, double seconds, double cpuSeconds, String sample) {
    long dropped() {
      return droppedByKind.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The settings of one export. */
  record Settings(Path input, Path output, String format, TrainerSchema schema, long shardBytes,
      int maxSequenceTokens, String tokenizer, int templateTokens, String system, String split,
      String inputUri) {
    /** A local input folder. */
    Settings(Path input, Path output, String format, TrainerSchema schema, long shardBytes,
        int maxSequenceTokens, String tokenizer, int templateTokens, String system, String split) {
      this(input, output, format, schema, shardBytes, maxSequenceTokens, tokenizer, templateTokens,
          system, split, null);
    }

    Settings {
      if (!format.equals("parquet") && !format.equals("jsonl")) {
        throw new IllegalArgumentException("--format must be parquet or jsonl, got " + format);
      }
      if (shardBytes < 1) {
        throw new IllegalArgumentException("--shardMb must be >= 1");
      }
      if (maxSequenceTokens < 0) {
        throw new IllegalArgumentException("--maxSequenceTokens must be >= 0");
      }
      if (maxSequenceTokens > 0 && tokenizer == null) {
        throw new IllegalArgumentException("--maxSequenceTokens needs --tokenizer: the training "
            + "model's tokenizer (hf:/path/to/tokenizer.json or tiktoken:NAME)");
      }
      if (tokenizer != null) {
        Tokenizers.validate(tokenizer).ifPresent(msg -> {
          throw new IllegalArgumentException(msg);
        });
      }
    }
  }

  public static void main(String[] argv) throws IOException {
    for (String a : argv) {
      if (a.equals("--help") || a.equals("-h")) {
        System.out.print(USAGE);
        return;
      }
    }
    Args args = new Args(RemoteOutput.configure(argv, OPTIONS), OPTIONS);
    String inputSpec = args.required("input");
    boolean remote = RemoteOutput.isRemote(inputSpec);
    if (remote && args.get("card", null) == null) {
      throw new IllegalArgumentException("--input=" + inputSpec + " is in an object store: give "
          + "--card=DIR, a local folder for the trainer configs and the export summary");
    }
    Path input = remote ? Path.of(".") : Path.of(inputSpec);
    String schemaName = args.required("schema");
    TrainerSchema schema = TrainerSchema.parse(schemaName);
    Settings settings = new Settings(input, Path.of(args.required("output")),
        args.required("format").toLowerCase(Locale.ROOT), schema,
        (long) args.intValue("shardMb", 256) * 1024 * 1024,
        args.intValue("maxSequenceTokens", 0), args.get("tokenizer", null),
        args.intValue("templateTokens",
            schema == TrainerSchema.TEXT || schema == TrainerSchema.RAW ? 1 : 64),
        args.get("system", null), args.get("split", "train"), remote ? inputSpec : null);
    Result r = run(settings);
    System.out.printf(Locale.ROOT, "Exported %d of %d examples (%d dropped as longer than %s) "
            + "into %d %s file(s) under %s%n", r.rowsWritten(), r.rowsRead(), r.dropped(),
        settings.maxSequenceTokens() > 0 ? settings.maxSequenceTokens() + " tokens" : "no limit",
        r.files().size(), settings.format(), settings.output());
    System.out.printf(Locale.ROOT, "Throughput: %.0f rows/s, %.1f MB/s of Avro read, %.1f MB/s "
            + "written (%.1f MB read, %.1f MB written, %.2f s wall, %.2f s CPU: %.0f rows and "
            + "%.1f MB written per CPU second)%n", r.rowsRead() / r.seconds(),
        r.bytesRead() / 1e6 / r.seconds(), r.bytesWritten() / 1e6 / r.seconds(),
        r.bytesRead() / 1e6, r.bytesWritten() / 1e6, r.seconds(), r.cpuSeconds(),
        r.rowsRead() / Math.max(1e-9, r.cpuSeconds()),
        r.bytesWritten() / 1e6 / Math.max(1e-9, r.cpuSeconds()));
    if (r.sample() != null) {
      System.out.println("First row (abridged):");
      System.out.println(r.sample());
      String into = args.get("sampleInto", null);
      if (into != null) {
        SampleRow.writeInto(Path.of(into), r.sample());
        System.out.println("Sample written into " + into);
      }
    }
    Path card = Path.of(args.get("card", input.resolve("card").toString()));
    List<Path> written = TrainerConfigs.write(card, settings, r);
    System.out.println("Trainer configs: " + written);
  }

  /** The Avro example files of an output folder, in path order. */
  static List<Path> exampleFiles(Path input) throws IOException {
    Path dir = input.resolve(WriteExamples.EXAMPLES_DIR);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("no " + WriteExamples.EXAMPLES_DIR + "/ folder in "
          + input + ": --input is the pipeline's --output folder");
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(".avro"))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted().toList();
    }
  }

  /** The Avro example files of the input (local or in an object store), in path order. */
  static List<RemoteOutput.RemoteFile> inputFiles(Settings s) throws IOException {
    if (s.inputUri() != null) {
      List<RemoteOutput.RemoteFile> files = RemoteOutput.list(s.inputUri(),
          WriteExamples.EXAMPLES_DIR, n -> n.endsWith(".avro") && !n.startsWith("."));
      if (files.isEmpty()) {
        throw new IllegalArgumentException("no Avro files under " + s.inputUri() + "/"
            + WriteExamples.EXAMPLES_DIR + "/: --input is the pipeline's --output folder");
      }
      return files;
    }
    List<RemoteOutput.RemoteFile> files = new ArrayList<>();
    for (Path p : exampleFiles(s.input())) {
      files.add(new RemoteOutput.RemoteFile(p.toString(), p.getFileName().toString(),
          Files.size(p)));
    }
    return files;
  }

  static Result run(Settings s) throws IOException {
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    Schema exampleSchema = LongContextExample.getClassSchema();
    Schema outSchema = s.schema().schema(exampleSchema);
    TextTokenizer tokenizer = s.maxSequenceTokens() > 0 ? Tokenizers.load(s.tokenizer()) : null;
    Files.createDirectories(s.output());
    clearOldShards(s);

    List<Path> temp = new ArrayList<>();
    Map<String, Long> dropped = new TreeMap<>();
    long read = 0;
    long written = 0;
    long bytesRead = 0;
    String sample = null;
    try (ShardWriter out = new ShardWriter(s, outSchema, temp)) {
      for (RemoteOutput.RemoteFile file : inputFiles(s)) {
        bytesRead += file.sizeBytes();
        try (DataFileStream<GenericRecord> reader = new DataFileStream<>(
            new java.io.BufferedInputStream(s.inputUri() == null
                ? Files.newInputStream(Path.of(file.uri())) : RemoteOutput.open(file), 1 << 16),
            new GenericDatumReader<>(exampleSchema))) {
          for (GenericRecord example : reader) {
            read++;
            if (tokenizer != null && tooLong(tokenizer, s, example)) {
              dropped.merge(example.get("kind").toString(), 1L, Long::sum);
              continue;
            }
            GenericRecord row = s.schema().row(outSchema, example, s.system());
            if (sample == null) {
              sample = SampleRow.abridged(row);
            }
            out.write(row);
            written++;
          }
        }
      }
    }
    List<Path> files = new ArrayList<>();
    long bytesWritten = 0;
    for (int i = 0; i < temp.size(); i++) {
      Path target = s.output().resolve(String.format(Locale.ROOT, "%s-%05d-of-%05d.%s", s.split(),
          i, temp.size(), s.format()));
      Files.move(temp.get(i), target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      files.add(target);
      bytesWritten += Files.size(target);
    }
    double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
    double cpu = (processCpuNanos() - cpuStart) / 1e9;
    Result result = new Result(read, written, dropped, files, bytesRead, bytesWritten, seconds,
        cpu, sample);
    return result;
  }

  /** CPU time of this JVM (all threads, GC included), or 0 where the JVM does not report it. */
  private static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  private static boolean tooLong(TextTokenizer tokenizer, Settings s, GenericRecord example) {
    long budget = s.maxSequenceTokens() - s.templateTokens();
    for (String text : s.schema().texts(example, s.system())) {
      long n = TokenBudget.countUpTo(tokenizer, text, budget + 1);
      budget -= n;
      if (budget < 0) {
        return true;
      }
    }
    return false;
  }

  /** Shards of an earlier export of this split would mix with the new ones: remove them. */
  private static void clearOldShards(Settings s) throws IOException {
    try (Stream<Path> files = Files.list(s.output())) {
      for (Path p : files.toList()) {
        String name = p.getFileName().toString();
        if (name.matches(java.util.regex.Pattern.quote(s.split())
            + "-\\d{5}-of-\\d{5}\\.(parquet|jsonl)") || name.startsWith(".export-")) {
          Files.delete(p);
        }
      }
    }
  }

  /** {@code export.json}: what was exported and dropped (no timings, so it is the same every run). */
  static String summary(Settings s, Result r) {
    StringBuilder json = new StringBuilder();
    json.append("{\n  \"schema\": \"").append(s.schema().id()).append("\",\n");
    json.append("  \"format\": \"").append(s.format()).append("\",\n");
    json.append("  \"rowsRead\": ").append(r.rowsRead()).append(",\n");
    json.append("  \"rowsWritten\": ").append(r.rowsWritten()).append(",\n");
    json.append("  \"maxSequenceTokens\": ").append(s.maxSequenceTokens()).append(",\n");
    json.append("  \"tokenizer\": ").append(s.tokenizer() == null ? "null"
        : "\"" + s.tokenizer().replace("\\", "\\\\").replace("\"", "\\\"") + "\"").append(",\n");
    json.append("  \"templateTokens\": ").append(s.templateTokens()).append(",\n");
    json.append("  \"droppedTooLongByKind\": {");
    String sep = "";
    for (Map.Entry<String, Long> e : r.droppedByKind().entrySet()) {
      json.append(sep).append("\"").append(e.getKey()).append("\": ").append(e.getValue());
      sep = ", ";
    }
    json.append("},\n  \"files\": [");
    sep = "";
    for (Path f : r.files()) {
      json.append(sep).append("\"").append(f.getFileName()).append("\"");
      sep = ", ";
    }
    json.append("]\n}\n");
    return json.toString();
  }

  /** Writes rows into size-bounded shards under temporary names. */
  private static final class ShardWriter implements AutoCloseable {
    private final Settings settings;
    private final Schema schema;
    private final List<Path> files;
    private ParquetWriter<GenericRecord> parquet;
    private JsonLines jsonl;
    private CountingOutputStream counter;

    ShardWriter(Settings settings, Schema schema, List<Path> files) {
      this.settings = settings;
      this.schema = schema;
      this.files = files;
    }

    void write(GenericRecord row) throws IOException {
      if (parquet == null && jsonl == null) {
        open();
      }
      if (parquet != null) {
        parquet.write(row);
        if (parquet.getDataSize() >= settings.shardBytes()) {
          closeShard();
        }
      } else {
        jsonl.write(row);
        if (counter.getCount() >= settings.shardBytes()) {
          closeShard();
        }
      }
    }

    private void open() throws IOException {
      Path file = settings.output().resolve(".export-" + files.size() + "." + settings.format());
      files.add(file);
      counter = new CountingOutputStream(
          new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
      if (settings.format().equals("parquet")) {
        parquet = ParquetFiles.writer(schema, counter, GenericData.get());
      } else {
        jsonl = new JsonLines(counter);
      }
    }

    private void closeShard() throws IOException {
      if (parquet != null) {
        parquet.close();
        parquet = null;
      }
      if (jsonl != null) {
        jsonl.close();
        jsonl = null;
      }
    }

    @Override
    public void close() throws IOException {
      closeShard();
    }
  }
}
