package org.in2stream.runners.tools;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.in2stream.pipeline.sink.JsonLines;

/**
 * An abridged JSON rendering of one exported row, for documentation: long strings keep their
 * start and end, long arrays their first items. {@link #writeInto} puts it between the markers
 * {@code <!-- sample-row:begin -->} and {@code <!-- sample-row:end -->} of a Markdown file, so the
 * README's sample comes from a real run.
 */
final class SampleRow {
  static final String BEGIN = "<!-- sample-row:begin -->";
  static final String END = "<!-- sample-row:end -->";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int KEEP_HEAD = 70;
  private static final int KEEP_TAIL = 50;
  private static final int KEEP_ITEMS = 2;

  private SampleRow() {}

  static String abridged(GenericRecord row) throws IOException {
    StringWriter raw = new StringWriter();
    try (JsonGenerator g = JSON.getFactory().createGenerator(raw)) {
      JsonLines.writeValue(g, row.getSchema(), row);
    }
    JsonNode node = abridge(JSON.readTree(raw.toString()));
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withArrayIndenter(new DefaultPrettyPrinter.FixedSpaceIndenter())
        .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
    return JSON.writer(printer).writeValueAsString(node);
  }

  private static JsonNode abridge(JsonNode node) {
    if (node.isTextual()) {
      String s = node.textValue();
      int cps = s.codePointCount(0, s.length());
      if (cps <= KEEP_HEAD + KEEP_TAIL + 20) {
        return node;
      }
      String head = s.substring(0, s.offsetByCodePoints(0, KEEP_HEAD));
      String tail = s.substring(s.offsetByCodePoints(0, cps - KEEP_TAIL));
      return new TextNode(head + " [... " + (cps - KEEP_HEAD - KEEP_TAIL) + " characters ...] "
          + tail);
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      int i = 0;
      for (JsonNode item : node) {
        if (i++ == KEEP_ITEMS && node.size() > KEEP_ITEMS + 1) {
          out.add("... " + (node.size() - KEEP_ITEMS) + " more");
          break;
        }
        out.add(abridge(item));
      }
      return out;
    }
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.set(e.getKey(), abridge(e.getValue()));
      }
      return out;
    }
    return node;
  }

  /** Replaces what is between the markers of {@code file} with {@code sample} in a json fence. */
  static void writeInto(Path file, String sample) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(file + " has no " + BEGIN + " ... " + END + " block");
    }
    String block = BEGIN + "\n```json\n" + sample.strip() + "\n```\n";
    Files.writeString(file, text.substring(0, begin) + block + text.substring(end),
        StandardCharsets.UTF_8);
  }
}
