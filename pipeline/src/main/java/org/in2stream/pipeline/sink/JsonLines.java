package org.in2stream.pipeline.sink;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Writes Avro records as JSON lines, driven by the record's schema, so fields added to a schema
 * appear without code changes. Plain JSON, not Avro's JSON encoding: a union is written as its
 * value (not {@code {"string": ...}}), an enum as its symbol, bytes and fixed as base64, maps as
 * objects. Fields come in schema order, one record per line, UTF-8, {@code \n} after each line; so
 * the same records give the same bytes.
 */
public final class JsonLines implements AutoCloseable {
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private final JsonGenerator json;
  private final OutputStream out;

  /** A writer on {@code out}; {@link #close()} flushes and closes {@code out}. */
  public JsonLines(OutputStream out) throws IOException {
    this.out = out;
    this.json = FACTORY.createGenerator(out, JsonEncoding.UTF8);
    this.json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  }

  /** Writes one record as one line. */
  public void write(IndexedRecord record) throws IOException {
    writeValue(json, record.getSchema(), record);
    json.flush();
    out.write('\n');
  }

  @Override
  public void close() throws IOException {
    json.close();
    out.close();
  }

  /** Writes {@code value} of type {@code schema} as plain JSON. */
  public static void writeValue(JsonGenerator g, Schema schema, Object value) throws IOException {
    switch (schema.getType()) {
      case RECORD -> {
        IndexedRecord r = (IndexedRecord) value;
        g.writeStartObject();
        for (Schema.Field f : schema.getFields()) {
          g.writeFieldName(f.name());
          writeValue(g, f.schema(), r.get(f.pos()));
        }
        g.writeEndObject();
      }
      case UNION -> {
        if (value == null) {
          g.writeNull();
        } else {
          int branch = GenericData.get().resolveUnion(schema, value);
          writeValue(g, schema.getTypes().get(branch), value);
        }
      }
      case ARRAY -> {
        g.writeStartArray();
        for (Object item : (Collection<?>) value) {
          writeValue(g, schema.getElementType(), item);
        }
        g.writeEndArray();
      }
      case MAP -> {
        g.writeStartObject();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          g.writeFieldName(e.getKey().toString());
          writeValue(g, schema.getValueType(), e.getValue());
        }
        g.writeEndObject();
      }
      case STRING, ENUM -> g.writeString(value.toString());
      case INT -> g.writeNumber((Integer) value);
      case LONG -> g.writeNumber((Long) value);
      case FLOAT -> g.writeNumber((Float) value);
      case DOUBLE -> g.writeNumber((Double) value);
      case BOOLEAN -> g.writeBoolean((Boolean) value);
      case NULL -> g.writeNull();
      case BYTES -> {
        ByteBuffer b = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        g.writeString(Base64.getEncoder().encodeToString(bytes));
      }
      case FIXED -> g.writeString(Base64.getEncoder().encodeToString(((GenericFixed) value).bytes()));
      default -> throw new IllegalArgumentException("unsupported Avro type " + schema.getType());
    }
  }
}
