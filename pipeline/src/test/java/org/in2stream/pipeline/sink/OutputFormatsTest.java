package org.in2stream.pipeline.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.in2stream.pipeline.In2Pipeline;
import org.in2stream.pipeline.TestConfigs;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.synth.OfflineQaGenerator;
import org.in2stream.schema.RawRecord;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline with {@code --outputFormats=avro,parquet,jsonl}: each format read back with its own
 * reader (Avro, parquet-avro, Jackson) holds the same records in the same order, field by field,
 * and a replay writes byte-identical files of every format.
 */
class OutputFormatsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void threeFormatsHoldTheSameRecordsAndReplaysAreByteIdentical(@TempDir Path tmp)
      throws Exception {
    PipelineConfig config = TestConfigs.fromArgs("--minContextTokens=2048",
        "--maxContextTokens=6144", "--mixture=0.45:0.45:0.1", "--maxInFlight=16",
        "--outputFormats=jsonl,avro,parquet", "--numShards=2");
    assertEquals(List.of(OutputFormat.AVRO, OutputFormat.PARQUET, OutputFormat.JSONL),
        config.outputFormats());
    Path first = tmp.resolve("first");
    Path second = tmp.resolve("second");
    run(config, first);
    run(config, second);

    for (String output : List.of(WriteExamples.EXAMPLES_DIR, WriteExamples.DEAD_LETTERS_DIR)) {
      List<Path> avroFiles = files(first.resolve(output), ".avro");
      assertFalse(avroFiles.isEmpty(), "avro files under " + output);
      int records = 0;
      for (Path avro : avroFiles) {
        String base = avro.toString().substring(0, avro.toString().length() - ".avro".length());
        List<GenericRecord> fromAvro = readAvro(avro);
        List<GenericRecord> fromParquet = readParquet(Path.of(base + ".parquet"));
        List<JsonNode> fromJson = readJsonLines(Path.of(base + ".jsonl"));
        assertEquals(fromAvro.size(), fromParquet.size(), base);
        assertEquals(fromAvro.size(), fromJson.size(), base);
        for (int i = 0; i < fromAvro.size(); i++) {
          GenericRecord expected = fromAvro.get(i);
          for (Schema.Field f : expected.getSchema().getFields()) {
            String where = base + " record " + i + " field " + f.name();
            assertEquals(GenericData.get().toString(expected.get(f.name())),
                GenericData.get().toString(fromParquet.get(i).get(f.name())), where);
            assertMatches(f.schema(), expected.get(f.name()), fromJson.get(i).get(f.name()),
                where);
          }
        }
        records += fromAvro.size();
      }
      assertTrue(records > 0, "records under " + output);
    }
    Path examples = first.resolve(WriteExamples.EXAMPLES_DIR);
    assertTrue(Files.readString(files(examples, ".jsonl").get(0)).contains("東京"),
        "JSON lines keep CJK text as UTF-8");

    List<Path> all = files(first, "");
    assertEquals(files(second, "").size(), all.size());
    assertEquals(3 * files(first, ".avro").size(), all.size(), "one file per format");
    for (Path f : all) {
      assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(second.resolve(first.relativize(f))),
          "replay gives the same bytes: " + first.relativize(f));
    }
  }

  @Test
  void unknownFormatsAreRejectedWithTheAllowedOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TestConfigs.fromArgs("--outputFormats=avro,csv"));
    assertTrue(e.getMessage().contains("csv") && e.getMessage().contains("parquet"),
        e.getMessage());
    assertEquals(List.of(OutputFormat.AVRO), TestConfigs.fromArgs().outputFormats());
  }

  private static void run(PipelineConfig config, Path output) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    List<TimestampedValue<RawRecord>> input = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      String text = TestTexts.document(i, 6);
      if (i % 3 == 0) {
        text = text.replace(". ", ". 東京の橋は 1998 年に開通した 🚀🌉 (café, naïve). ");
      }
      byte[] value = ("{\"id\":\"doc-" + i + "\",\"text\":\"" + text.replace("\n", "\\n")
          + "\"}").getBytes(StandardCharsets.UTF_8);
      RawRecord r = RawRecord.newBuilder().setTopic("docs").setPartition(0).setOffset(i)
          .setTimestamp(1_700_000_000_000L + i).setValue(ByteBuffer.wrap(value)).build();
      input.add(TimestampedValue.of(r, new Instant(r.getTimestamp())));
    }
    RawRecord bad = RawRecord.newBuilder().setTopic("docs").setPartition(0).setOffset(99)
        .setTimestamp(1_700_000_000_099L).setValue(ByteBuffer.wrap(new byte[] {'x', (byte) 0xFF}))
        .build();
    input.add(TimestampedValue.of(bad, new Instant(bad.getTimestamp())));
    In2Pipeline.Outputs out = In2Pipeline.build(p, config,
        Create.timestamped(input).withCoder(AvroCoder.of(RawRecord.class)),
        OfflineQaGenerator.factory(42));
    out.asTuple().apply("WriteExamples", new WriteExamples(
        WriteExamples.Sinks.files(output.toString(), config.numShards())
            .withFormats(config.outputFormats())));
    p.run().waitUntilFinish();
  }

  static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(suffix)).sorted()
          .toList();
    }
  }

  static List<GenericRecord> readAvro(Path file) throws IOException {
    List<GenericRecord> out = new ArrayList<>();
    try (DataFileReader<GenericRecord> r =
        new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
      r.forEach(out::add);
    }
    return out;
  }

  static List<GenericRecord> readParquet(Path file) throws IOException {
    List<GenericRecord> out = new ArrayList<>();
    try (ParquetReader<GenericRecord> r =
        ParquetFiles.reader(new LocalInputFile(file), GenericData.get())) {
      for (GenericRecord g = r.read(); g != null; g = r.read()) {
        out.add(g);
      }
    }
    return out;
  }

  static List<JsonNode> readJsonLines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  /** An Avro value and the plain JSON that Jackson read back hold the same data. */
  static void assertMatches(Schema schema, Object value, JsonNode node, String where) {
    assertTrue(node != null, where + ": missing in JSON");
    switch (schema.getType()) {
      case UNION -> {
        if (value == null) {
          assertTrue(node.isNull(), where);
        } else {
          assertMatches(schema.getTypes().get(GenericData.get().resolveUnion(schema, value)),
              value, node, where);
        }
      }
      case RECORD -> {
        IndexedRecord r = (IndexedRecord) value;
        assertEquals(schema.getFields().size(), node.size(), where);
        for (Schema.Field f : schema.getFields()) {
          assertMatches(f.schema(), r.get(f.pos()), node.get(f.name()), where + "." + f.name());
        }
      }
      case ARRAY -> {
        Collection<?> items = (Collection<?>) value;
        assertEquals(items.size(), node.size(), where);
        Iterator<JsonNode> it = node.elements();
        int i = 0;
        for (Object item : items) {
          assertMatches(schema.getElementType(), item, it.next(), where + "[" + i++ + "]");
        }
      }
      case MAP -> {
        Map<String, Object> sorted = new TreeMap<>();
        ((Map<?, ?>) value).forEach((k, v) -> sorted.put(k.toString(), v));
        assertEquals(sorted.size(), node.size(), where);
        sorted.forEach((k, v) -> assertMatches(schema.getValueType(), v, node.get(k), where + k));
      }
      case STRING, ENUM -> assertEquals(value.toString(), node.textValue(), where);
      case INT -> assertEquals(((Integer) value).intValue(), node.intValue(), where);
      case LONG -> assertEquals(((Long) value).longValue(), node.longValue(), where);
      case DOUBLE, FLOAT -> assertEquals(((Number) value).doubleValue(), node.doubleValue(), 0.0,
          where);
      case BOOLEAN -> assertEquals(value, node.booleanValue(), where);
      case NULL -> assertTrue(node.isNull(), where);
      default -> throw new AssertionError(where + ": no check for " + schema.getType());
    }
  }
}
