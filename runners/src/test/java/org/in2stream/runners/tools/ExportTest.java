package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.assemble.ContextAssembler;
import org.in2stream.pipeline.assemble.LengthDistribution;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.sink.ParquetFiles;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export of a demo-like output folder (two windows, examples assembled by the real
 * {@link ContextAssembler} from texts with emoji and CJK) into every schema and format, read back
 * with parquet-avro and Jackson.
 */
class ExportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ANSWER_TAIL = " 東京の橋 🚀🌉 naïve";
  @TempDir
  static Path tmp;
  static Path input;
  static List<LongContextExample> examples;

  @BeforeAll
  static void demoLikeOutput() throws IOException {
    TextTokenizer tok = TestTexts.tokenizer();
    List<Segment> pool = new ArrayList<>();
    for (Segment s : TestTexts.pool(60, 5)) {
      pool.add(Segment.newBuilder(s).setText(s.getText() + " 😀 漢字テキスト").build());
    }
    ContextAssembler assembler = new ContextAssembler(tok, TestTexts.settings(tok.spec(),
        LengthDistribution.uniform(1024, 4096), Placement.SHUFFLE, 0));
    examples = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      Kind kind = i % 8 == 0 ? Kind.SHORT_CONTEXT : i % 3 == 0 ? Kind.MULTI_SEGMENT
          : Kind.FINE_GRAINED;
      List<Segment> segs = TestTexts.segments("d" + i,
          TestTexts.document(70 + i, 6).replace(". ", ". 🧪 測定値 "), i);
      QaPair q = QaPair.newBuilder().setRequestKey("k" + i)
          .setKind(kind == Kind.MULTI_SEGMENT ? kind : Kind.FINE_GRAINED).setDocId("d" + i)
          .setQuestion("Which bridge 🌉 opened in 1998, 東京?")
          .setAnswer("The answer" + i + ANSWER_TAIL)
          .setSegments(kind == Kind.MULTI_SEGMENT ? segs : List.of(segs.get(0)))
          .setNeededSegmentIndexes(kind == Kind.MULTI_SEGMENT ? List.of(0, 1) : List.of(0))
          .setModel("m").setPromptVersion("p").setSource(TestTexts.source(i)).build();
      examples.add(assembler.assemble(q, kind, pool).example());
    }
    input = tmp.resolve("out");
    write(input.resolve("examples/20231114T221320Z_20231114T222320Z/part-00000-of-00001.avro"),
        examples.subList(0, 15));
    write(input.resolve("examples/20231114T222320Z_20231114T223320Z/part-00000-of-00001.avro"),
        examples.subList(15, 24));
    // a file a crashed writer left behind is not an output file
    Files.writeString(input.resolve("examples/20231114T221320Z_20231114T222320Z/.inprogress-x.avro"),
        "garbage");
  }

  static Export.Settings settings(Path out, String format, TrainerSchema schema, long shardBytes,
      int maxTokens, String tokenizer, String system) {
    return new Export.Settings(input, out, format, schema, shardBytes, maxTokens, tokenizer,
        schema == TrainerSchema.TEXT || schema == TrainerSchema.RAW ? 1 : 64, system, "train");
  }

  @Test
  void messagesRowsReproduceContextQuestionAndAnswerExactlyInBothFormats() throws IOException {
    for (String format : List.of("parquet", "jsonl")) {
      Path out = tmp.resolve("messages-" + format);
      Export.Result r = Export.run(settings(out, format, TrainerSchema.MESSAGES, 1L << 28, 0, null,
          "You answer from the context."));
      assertEquals(24, r.rowsRead());
      assertEquals(24, r.rowsWritten());
      List<Map<String, Object>> rows = read(r.files(), format);
      assertEquals(24, rows.size());
      for (int i = 0; i < rows.size(); i++) {
        LongContextExample e = examples.get(i);
        Map<String, Object> row = rows.get(i);
        assertEquals(e.getId(), row.get("id"), "rows keep the input order");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> turns = (List<Map<String, Object>>) row.get("messages");
        assertEquals(List.of("system", "user", "assistant"),
            turns.stream().map(t -> t.get("role")).toList());
        assertEquals("You answer from the context.", turns.get(0).get("content"));
        assertEquals(e.getContext() + "\n\n" + e.getQuestion(), turns.get(1).get("content"));
        assertEquals(e.getAnswer(), turns.get(2).get("content"));
        String user = (String) turns.get(1).get("content");
        assertFalse(user.contains("[INST]") || user.contains("### Context"),
            "no training template inside: the trainer applies its own");
        assertEquals(e.getKind().toString(), row.get("kind"));
        assertEquals(e.getContextTokens(), ((Number) row.get("contextTokens")).intValue());
        assertEquals(e.getSourceDocId(), row.get("sourceDocId"));
        assertFalse(row.containsKey("prompt") || row.containsKey("context"),
            "the chat columns replace the text fields");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> spans = (List<Map<String, Object>>) row.get("answerSegments");
        assertEquals(e.getAnswerSegments().size(), spans.size());
        int start = ((Number) spans.get(0).get("charStart")).intValue();
        assertEquals(e.getAnswerSegments().get(0).getCharStart(), start,
            "spans index into the user turn, whose first character is the context's");
      }
    }
  }

  @Test
  void promptCompletionRowsSplitTheTurns() throws IOException {
    Path out = tmp.resolve("pc");
    Export.Result r = Export.run(settings(out, "jsonl", TrainerSchema.PROMPT_COMPLETION, 1L << 28,
        0, null, null));
    List<Map<String, Object>> rows = read(r.files(), "jsonl");
    for (int i = 0; i < rows.size(); i++) {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> prompt = (List<Map<String, Object>>) rows.get(i).get("prompt");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> completion =
          (List<Map<String, Object>>) rows.get(i).get("completion");
      assertEquals(1, prompt.size(), "no system turn unless asked");
      assertEquals("user", prompt.get(0).get("role"));
      assertEquals(examples.get(i).getContext() + "\n\n" + examples.get(i).getQuestion(),
          prompt.get(0).get("content"));
      assertEquals(List.of(Map.of("role", "assistant", "content", examples.get(i).getAnswer())),
          completion);
    }
  }

  @Test
  void textOffsetsPointAtTheAnswerInCodePointsBytesAndUtf16() throws IOException {
    for (String format : List.of("parquet", "jsonl")) {
      Export.Result r = Export.run(settings(tmp.resolve("text-" + format), format,
          TrainerSchema.TEXT, 1L << 28, 0, null, null));
      List<Map<String, Object>> rows = read(r.files(), format);
      assertEquals(24, rows.size());
      for (int i = 0; i < rows.size(); i++) {
        LongContextExample e = examples.get(i);
        String text = (String) rows.get(i).get("text");
        assertEquals(e.getPrompt() + e.getCompletion(), text);
        int utf16 = ((Number) rows.get(i).get("answerCharOffset")).intValue();
        int cp = ((Number) rows.get(i).get("answerCodePointOffset")).intValue();
        int bytes = ((Number) rows.get(i).get("answerByteOffset")).intValue();
        assertTrue(text.substring(utf16).startsWith(e.getAnswer()));
        // Python: text[cp:] indexes code points
        int[] codePoints = text.codePoints().toArray();
        String fromCodePoints = new String(codePoints, cp, codePoints.length - cp);
        assertTrue(fromCodePoints.startsWith(e.getAnswer()), fromCodePoints);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        String fromBytes = new String(Arrays.copyOfRange(utf8, bytes, utf8.length),
            StandardCharsets.UTF_8);
        assertTrue(fromBytes.startsWith(e.getAnswer()), fromBytes);
        assertTrue(cp < utf16 && utf16 < bytes, "emoji and CJK before the answer make the three "
            + "offsets differ: " + cp + " " + utf16 + " " + bytes);
      }
    }
  }

  @Test
  void rawKeepsEveryFieldAndShardsBySize() throws IOException {
    Path out = tmp.resolve("raw");
    Export.Result r = Export.run(settings(out, "parquet", TrainerSchema.RAW, 60_000, 0, null,
        null));
    assertTrue(r.files().size() > 2, "small shards: " + r.files());
    for (int i = 0; i < r.files().size(); i++) {
      assertEquals(String.format("train-%05d-of-%05d.parquet", i, r.files().size()),
          r.files().get(i).getFileName().toString());
    }
    List<GenericRecord> rows = new ArrayList<>();
    for (Path f : r.files()) {
      try (ParquetReader<GenericRecord> reader =
          ParquetFiles.reader(new LocalInputFile(f), GenericData.get())) {
        for (GenericRecord g = reader.read(); g != null; g = reader.read()) {
          rows.add(g);
        }
      }
    }
    assertEquals(24, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(GenericData.get().toString(examples.get(i)),
          GenericData.get().toString(rows.get(i)));
    }
    // a second export into the same folder replaces the shards of the first
    Export.Result again = Export.run(settings(out, "parquet", TrainerSchema.RAW, 1L << 28, 0,
        null, null));
    assertEquals(1, again.files().size());
    try (var files = Files.list(out)) {
      assertEquals(List.of(out.resolve("train-00000-of-00001.parquet")), files.toList());
    }
  }

  @Test
  void lengthFilterDropsAndCountsRowsTheTrainerWouldTruncate() throws IOException {
    String spec = "tiktoken:o200k_base";
    TextTokenizer tok = Tokenizers.load(spec);
    int limit = 2500;
    Map<String, Long> expected = new TreeMap<>();
    for (LongContextExample e : examples) {
      int n = tok.count(e.getContext() + "\n\n" + e.getQuestion()) + tok.count(e.getAnswer()) + 64;
      if (n > limit) {
        expected.merge(e.getKind().toString(), 1L, Long::sum);
      }
    }
    long droppedTotal = expected.values().stream().mapToLong(Long::longValue).sum();
    assertTrue(droppedTotal > 0 && droppedTotal < 24, "the limit splits the test data: "
        + expected);
    Export.Result r = Export.run(settings(tmp.resolve("filtered"), "jsonl",
        TrainerSchema.MESSAGES, 1L << 28, limit, spec, null));
    assertEquals(expected, r.droppedByKind());
    assertEquals(24 - droppedTotal, r.rowsWritten());
    assertEquals(24 - droppedTotal, read(r.files(), "jsonl").size());

    List<Path> configs = TrainerConfigs.write(tmp.resolve("card"),
        settings(tmp.resolve("filtered"), "jsonl", TrainerSchema.MESSAGES, 1L << 28, limit, spec,
            null), r);
    JsonNode summary = JSON.readTree(tmp.resolve("card/trainers/export-messages-jsonl.json")
        .toFile());
    assertEquals(24 - droppedTotal, summary.get("rowsWritten").asLong());
    assertEquals(droppedTotal, summary.get("droppedTooLongByKind").properties().stream()
        .mapToLong(p -> p.getValue().asLong()).sum());
    assertTrue(configs.contains(tmp.resolve("card/trainers/dataset_info.json")));
  }

  @Test
  void configsPointAtTheExportedFiles() throws IOException {
    Path out = tmp.resolve("cfg");
    Export.Settings s = settings(out, "parquet", TrainerSchema.MESSAGES, 60_000, 0, null, null);
    Export.Result r = Export.run(s);
    Path card = tmp.resolve("cfg-card");
    TrainerConfigs.write(card, s, r);
    Path dir = card.resolve(TrainerConfigs.DIR);
    JsonNode info = JSON.readTree(dir.resolve("dataset_info.json").toFile())
        .get(TrainerConfigs.DATASET_NAME);
    assertEquals("sharegpt", info.get("formatting").asText());
    assertEquals("messages", info.get("columns").get("messages").asText());
    assertEquals("role", info.get("tags").get("role_tag").asText());
    Path named = Path.of(info.get("file_name").asText());
    assertTrue(Files.isDirectory(named) || Files.isRegularFile(named), named.toString());
    String axolotl = Files.readString(dir.resolve("axolotl-datasets.yaml"));
    String torchtune = Files.readString(dir.resolve("torchtune-dataset.yaml"));
    String python = Files.readString(dir.resolve("load_dataset-messages-parquet.py"));
    for (Path f : r.files()) {
      String abs = f.toAbsolutePath().normalize().toString();
      assertTrue(Files.isRegularFile(f));
      assertTrue(axolotl.contains(abs) && torchtune.contains(abs) && python.contains(abs), abs);
    }
    assertTrue(axolotl.contains("type: chat_template") && axolotl.contains("field_messages: messages"));
    assertTrue(torchtune.contains("conversation_style: openai"));
    assertTrue(Files.readString(dir.resolve("README.md")).contains("max_length"));
  }

  @Test
  void replayGivesByteIdenticalFiles() throws IOException {
    for (String format : List.of("parquet", "jsonl")) {
      for (TrainerSchema schema : TrainerSchema.values()) {
        Export.Result a = Export.run(settings(tmp.resolve("a-" + format + schema), format, schema,
            80_000, 0, null, null));
        Export.Result b = Export.run(settings(tmp.resolve("b-" + format + schema), format, schema,
            80_000, 0, null, null));
        assertEquals(a.files().size(), b.files().size());
        for (int i = 0; i < a.files().size(); i++) {
          assertArrayEquals(Files.readAllBytes(a.files().get(i)),
              Files.readAllBytes(b.files().get(i)), a.files().get(i).toString());
        }
      }
    }
  }

  @Test
  void badSettingsFailWithWhatToChange() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> settings(tmp.resolve("x"), "csv", TrainerSchema.RAW, 1, 0, null, null))
        .getMessage().contains("parquet or jsonl"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> settings(tmp.resolve("x"), "jsonl", TrainerSchema.RAW, 1, 100, null, null))
        .getMessage().contains("--tokenizer"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainerSchema.parse("alpaca"))
        .getMessage().contains("prompt-completion"));
  }

  /** Rows as plain maps, read with parquet-avro or Jackson. */
  static List<Map<String, Object>> read(List<Path> files, String format) throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Path f : files) {
      if (format.equals("jsonl")) {
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = JSON.readValue(line, Map.class);
            rows.add(row);
          }
        }
      } else {
        try (ParquetReader<GenericRecord> r =
            ParquetFiles.reader(new LocalInputFile(f), GenericData.get())) {
          for (GenericRecord g = r.read(); g != null; g = r.read()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = JSON.readValue(GenericData.get().toString(g), Map.class);
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  private static void write(Path file, List<LongContextExample> records) throws IOException {
    Files.createDirectories(file.getParent());
    try (DataFileWriter<LongContextExample> w =
        new DataFileWriter<>(new SpecificDatumWriter<>(LongContextExample.class))) {
      w.create(LongContextExample.getClassSchema(), new File(file.toString()));
      for (LongContextExample r : records) {
        w.append(r);
      }
    }
  }
}
