package org.in2stream.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.in2stream.pipeline.assemble.ContextAssembler;
import org.in2stream.pipeline.assemble.FillerHardness;
import org.in2stream.pipeline.assemble.LengthDistribution;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;

/**
 * Readers built on the schema before issue 16 (no hardness fields, no UNANSWERABLE symbol) read the
 * records written now: the new fields are dropped by schema resolution. A record that uses the new
 * symbol is the one thing they cannot read (docs/beyond-in2.md, "Readers").
 */
class OldReadersTest {
  private static final TextTokenizer TOK = TestTexts.tokenizer();

  /** The schema as it was: the three fields at the end removed, the last Kind symbol removed. */
  private static Schema oldSchema() {
    String json = LongContextExample.getClassSchema().toString();
    Schema current = new Schema.Parser().parse(json);
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      if (List.of("fillerHardness", "hardness", "withheldAnswer").contains(f.name())) {
        continue;
      }
      Schema type = f.schema();
      if (f.name().equals("kind")) {
        type = Schema.createEnum("Kind", type.getDoc(), type.getNamespace(),
            List.of("FINE_GRAINED", "MULTI_SEGMENT", "SHORT_CONTEXT"));
      }
      fields.add(new Schema.Field(f.name(), type, f.doc(), f.defaultVal()));
    }
    return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false,
        fields);
  }

  private static byte[] encode(LongContextExample e) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(LongContextExample.class).write(e, enc);
    enc.flush();
    return out.toByteArray();
  }

  private static GenericRecord readOld(byte[] bytes) throws IOException {
    return new GenericDatumReader<GenericRecord>(LongContextExample.getClassSchema(), oldSchema())
        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
  }

  private static QaPair qa() {
    List<Segment> segs = TestTexts.segments("old-reader", TestTexts.document(77, 8), 1);
    return QaPair.newBuilder().setRequestKey("old").setKind(Kind.FINE_GRAINED)
        .setDocId("old-reader").setQuestion("Which?").setAnswer("Zarquon Velt")
        .setSegments(List.of(segs.get(0))).setNeededSegmentIndexes(List.of(0)).setModel("m")
        .setPromptVersion("p").setSource(TestTexts.source(1)).build();
  }

  @Test
  void oldReadersReadHardExamplesAndFailOnlyOnTheNewKind() throws IOException {
    List<Segment> pool = TestTexts.pool(40, 2);
    ContextAssembler assembler = new ContextAssembler(TOK, TestTexts.settings(TOK.spec(),
        LengthDistribution.uniform(2048, 4096), Placement.SHUFFLE, 0)
        .with(FillerHardness.parse("similar", 0.2, false), 0));
    LongContextExample hard = assembler.assemble(qa(), Kind.FINE_GRAINED, pool).example();
    assertNotNull(hard.getHardness());
    GenericRecord old = readOld(encode(hard));
    assertEquals(hard.getId(), old.get("id").toString());
    assertEquals("FINE_GRAINED", old.get("kind").toString());
    assertEquals(hard.getContext(), old.get("context").toString());

    LongContextExample unanswerable = assembler.assemble(qa(), Kind.UNANSWERABLE, pool).example();
    byte[] bytes = encode(unanswerable);
    assertThrows(AvroTypeException.class, () -> readOld(bytes),
        "an old reader has no UNANSWERABLE symbol and no enum default");
  }
}
