package org.in2stream.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.in2stream.pipeline.synth.OfflineQaGenerator;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.RawRecord;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Event-time windows of the streaming job with {@link TestStream}: documents on time, documents out
 * of order but ahead of the watermark (still on time), and a document behind the watermark (droppable
 * by Beam: the Kafka sources clamp such a record to the watermark, see EventTimeClampTest, so it
 * cannot reach the pipeline unclamped).
 */
@ExtendWith(TestPipelineExtension.class)
class WindowingTest {
  private static final Instant W0 = new Instant(1_700_000_040_000L - 1_700_000_040_000L % 60_000);
  private static final IntervalWindow WINDOW = new IntervalWindow(W0, Duration.standardSeconds(60));

  private static TimestampedValue<RawRecord> doc(long offset, long secondsIntoWindow) {
    String json = "{\"id\":\"doc-" + offset + "\",\"text\":\""
        + TestTexts.document(500 + offset, 7).replace("\n", "\\n") + "\"}";
    long ts = W0.getMillis() + secondsIntoWindow * 1000;
    RawRecord r = RawRecord.newBuilder().setTopic("docs").setPartition(0).setOffset(offset)
        .setTimestamp(ts).setValue(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
        .build();
    return TimestampedValue.of(r, new Instant(ts));
  }

  @Test
  void onTimeAndOutOfOrderDocumentsLandInTheirWindowAndABehindWatermarkOneIsDroppable(
      TestPipeline pipeline) {
    TestStream.Builder<RawRecord> stream = TestStream.create(AvroCoder.of(RawRecord.class));
    for (long i = 0; i < 16; i++) {
      stream = stream.addElements(doc(i, 2 + 3 * i)); // on time, in order
    }
    TestStream<RawRecord> events = stream
        .advanceWatermarkTo(W0.plus(Duration.standardSeconds(55)))
        .addElements(doc(100, 56)) // on time
        .addElements(doc(101, 58))
        .addElements(doc(102, 57)) // out of order, still ahead of the watermark
        .advanceWatermarkTo(W0.plus(Duration.standardSeconds(70))) // the window closes
        .addElements(doc(200, 30)) // behind the watermark: droppable
        .advanceWatermarkToInfinity();

    In2Pipeline.Outputs out = In2Pipeline.build(pipeline,
        TestConfigs.fromArgs("--windowSeconds=60", "--minContextTokens=2048",
            "--maxContextTokens=6144"),
        events, OfflineQaGenerator.factory(42));

    PAssert.that(out.examples()).inWindow(WINDOW).satisfies(examples -> {
      Set<Long> offsets = new HashSet<>();
      for (LongContextExample e : examples) {
        offsets.add(e.getSource().getOffset());
      }
      Set<Long> expected = new HashSet<>();
      for (long i = 0; i < 16; i++) {
        expected.add(i);
      }
      expected.addAll(Set.of(100L, 101L, 102L));
      assertEquals(expected, offsets, "every on-time and out-of-order document, nothing else");
      return null;
    });
    PAssert.that(out.failures()).satisfies(failures -> {
      for (Failure f : failures) {
        assertTrue(f.getSource().getOffset() != 200, "the droppable document is not a failure");
      }
      return null;
    });
    pipeline.run().waitUntilFinish();
  }
}
