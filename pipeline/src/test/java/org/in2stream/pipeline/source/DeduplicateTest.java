package org.in2stream.pipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Document;
import org.in2stream.schema.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class DeduplicateTest {
  private static Document doc(String text, int partition, long offset) {
    return Document.newBuilder().setId("d-" + partition + "-" + offset).setText(text)
        .setContentSha256(Hashing.sha256Hex(text))
        .setSource(new Source("t", partition, offset, 1000L)).build();
  }

  @Test
  void keepsTheSmallestSourcePositionWhateverTheArrivalOrder(TestPipeline pipeline) {
    // The kept copy (partition 0, offset 9) arrives last; offset order within a partition loses to
    // the partition number.
    List<Document> docs = new ArrayList<>(List.of(doc("same", 1, 2), doc("other", 1, 3),
        doc("same", 1, 0), doc("same", 0, 9)));
    PCollectionTuple out = pipeline
        .apply(Create.of(docs).withCoder(AvroCoder.of(Document.class)))
        .apply(new Deduplicate());
    PAssert.that(out.get(Deduplicate.UNIQUE)).containsInAnyOrder(doc("same", 0, 9),
        doc("other", 1, 3));
    PAssert.that(out.get(Deduplicate.FAILURES)).satisfies(failures -> {
      List<String> ids = StreamSupport.stream(failures.spliterator(), false)
          .peek(f -> assertEquals("DUPLICATE", f.getReason()))
          .map(f -> f.getDocId()).sorted().toList();
      assertEquals(List.of("d-1-0", "d-1-2"), ids);
      return null;
    });
    pipeline.run().waitUntilFinish();
  }
}
