package org.in2stream.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.in2stream.pipeline.source.Deduplicate;
import org.in2stream.pipeline.source.EventTimeClamp;
import org.in2stream.pipeline.source.ReadDocuments;
import org.in2stream.pipeline.synth.OfflineQaGenerator;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.RawRecord;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Event-time windows of the streaming job, with {@link TestStream}, one case per test: documents on
 * time (in order and out of order), a document behind the watermark whose window is still open (late
 * for the watermark, on time for its window), and a document whose window has closed (droppable: the
 * job allows no lateness). The last case shows why the droppable case cannot happen in the job: the
 * Kafka sources stamp records through {@link EventTimeClamp}, which moves such a record up to the
 * watermark, into an open window.
 *
 * <p>Each case is checked twice. Panes are asserted at the first grouping step of the job
 * (ReadDocuments then Deduplicate, whose GroupByKey is where a window fires): the on-time pane holds
 * the window's documents and no late pane exists. Window membership is asserted on the examples of
 * the whole job; their panes are not, because SynthesizeQa emits its asynchronous results from
 * {@code @FinishBundle}, where Beam gives an element no pane.
 */
@ExtendWith(TestPipelineExtension.class)
class WindowingTest {
  private static final long WINDOW_MS = 60_000;
  private static final Duration WINDOW = Duration.millis(WINDOW_MS);
  private static final Instant W0 = new Instant(1_700_000_040_000L - 1_700_000_040_000L % WINDOW_MS);
  private static final IntervalWindow FIRST = new IntervalWindow(W0, WINDOW);
  private static final IntervalWindow SECOND = new IntervalWindow(FIRST.end(), WINDOW);

  /** A document read at {@code offset} whose Kafka timestamp is {@code millisFromW0} after W0. */
  private static TimestampedValue<RawRecord> doc(long offset, long millisFromW0) {
    String json = "{\"id\":\"doc-" + offset + "\",\"text\":\""
        + TestTexts.document(500 + offset, 7).replace("\n", "\\n") + "\"}";
    long ts = W0.getMillis() + millisFromW0;
    RawRecord r = RawRecord.newBuilder().setTopic("docs").setPartition(0).setOffset(offset)
        .setTimestamp(ts).setValue(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)))
        .build();
    return TimestampedValue.of(r, new Instant(ts));
  }

  private static long s(long seconds) {
    return seconds * 1000;
  }

  /** Sixteen documents on time, in order, in the first window. */
  private static TestStream.Builder<RawRecord> sixteenOnTime() {
    TestStream.Builder<RawRecord> stream = TestStream.create(AvroCoder.of(RawRecord.class));
    for (long i = 0; i < 16; i++) {
      stream = stream.addElements(doc(i, s(2 + 3 * i)));
    }
    return stream;
  }

  private static In2Pipeline.Outputs build(TestPipeline pipeline, TestStream<RawRecord> events) {
    return In2Pipeline.build(pipeline,
        TestConfigs.fromArgs("--windowSeconds=60", "--minContextTokens=2048",
            "--maxContextTokens=6144"),
        events, OfflineQaGenerator.factory(42));
  }

  /** The job's first grouping step (ReadDocuments, Deduplicate) over the events: its panes. */
  private static PCollection<Document> grouped(TestPipeline pipeline, TestStream<RawRecord> events) {
    Coders.register(pipeline);
    return pipeline.apply("ReadDocuments", new ReadDocuments(events, WINDOW))
        .get(ReadDocuments.DOCUMENTS)
        .apply("Deduplicate", new Deduplicate())
        .get(Deduplicate.UNIQUE);
  }

  private static Set<Long> range(long from, long to) {
    Set<Long> out = new TreeSet<>();
    for (long i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }

  private static Set<Long> union(Set<Long> a, Set<Long> b) {
    Set<Long> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

  /** Checks that the source offsets of the examples are exactly {@code expected}. */
  private static SerializableFunction<Iterable<LongContextExample>, Void> examplesFrom(
      Set<Long> expected, String what) {
    return examples -> {
      Set<Long> offsets = new TreeSet<>();
      for (LongContextExample e : examples) {
        offsets.add(e.getSource().getOffset());
      }
      assertEquals(expected, offsets, what);
      return null;
    };
  }

  /** Checks that the source offsets of the documents are exactly {@code expected}. */
  private static SerializableFunction<Iterable<Document>, Void> documentsFrom(Set<Long> expected,
      String what) {
    return docs -> {
      Set<Long> offsets = new TreeSet<>();
      for (Document d : docs) {
        offsets.add(d.getSource().getOffset());
      }
      assertEquals(expected, offsets, what);
      return null;
    };
  }

  // -- on time, in order and out of order ------------------------------------------------------

  private static final Set<Long> ON_TIME = union(range(0, 16), Set.of(100L, 101L, 102L));

  private static TestStream<RawRecord> onTime() {
    return sixteenOnTime()
        .advanceWatermarkTo(W0.plus(Duration.standardSeconds(55)))
        .addElements(doc(100, s(56)), doc(101, s(58)))
        .addElements(doc(102, s(57))) // out of order, still ahead of the watermark
        .advanceWatermarkToInfinity();
  }

  @Test
  void onTimeDocumentsFireInTheOnTimePane(TestPipeline pipeline) {
    PCollection<Document> docs = grouped(pipeline, onTime());
    PAssert.that(docs).inOnTimePane(FIRST).satisfies(documentsFrom(ON_TIME,
        "every document, in the pane fired when the watermark passed the window"));
    PAssert.that(docs).inLatePane(FIRST).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void onTimeDocumentsGiveExamplesOfTheirWindow(TestPipeline pipeline) {
    In2Pipeline.Outputs out = build(pipeline, onTime());
    PAssert.that(out.examples()).inWindow(FIRST)
        .satisfies(examplesFrom(ON_TIME, "an example of every document"));
    PAssert.that(out.failures()).empty();
    pipeline.run().waitUntilFinish();
  }

  // -- behind the watermark, window still open -------------------------------------------------

  private static final Set<Long> BEHIND = union(range(0, 16), Set.of(300L));

  private static TestStream<RawRecord> behindTheWatermark() {
    return sixteenOnTime()
        .advanceWatermarkTo(W0.plus(Duration.standardSeconds(55)))
        .addElements(doc(300, s(10))) // 45 s behind the watermark; the window ends at 60 s
        .advanceWatermarkToInfinity();
  }

  @Test
  void aDocumentBehindTheWatermarkOfAnOpenWindowIsInTheOnTimePane(TestPipeline pipeline) {
    PCollection<Document> docs = grouped(pipeline, behindTheWatermark());
    PAssert.that(docs).inOnTimePane(FIRST)
        .satisfies(documentsFrom(BEHIND, "the record behind the watermark is on time"));
    PAssert.that(docs).inLatePane(FIRST).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aDocumentBehindTheWatermarkOfAnOpenWindowGivesAnExample(TestPipeline pipeline) {
    In2Pipeline.Outputs out = build(pipeline, behindTheWatermark());
    PAssert.that(out.examples()).inWindow(FIRST)
        .satisfies(examplesFrom(BEHIND, "an example of every document"));
    pipeline.run().waitUntilFinish();
  }

  // -- droppable: its window has fired ---------------------------------------------------------

  private static TestStream<RawRecord> droppable() {
    TestStream.Builder<RawRecord> stream = sixteenOnTime()
        .advanceWatermarkTo(SECOND.start().plus(Duration.standardSeconds(1))) // FIRST has fired
        .addElements(doc(200, s(30))); // for FIRST, after its end: droppable (no allowed lateness)
    for (long i = 400; i < 416; i++) {
      stream = stream.addElements(doc(i, WINDOW_MS + s(2 + 3 * (i - 400))));
    }
    return stream.advanceWatermarkToInfinity();
  }

  @Test
  void aDocumentForAFiredWindowIsDroppedAndNoLatePaneFires(TestPipeline pipeline) {
    PCollection<Document> docs = grouped(pipeline, droppable());
    PAssert.that(docs).inOnTimePane(FIRST)
        .satisfies(documentsFrom(range(0, 16), "the first window without the dropped record"));
    PAssert.that(docs).inLatePane(FIRST).empty();
    PAssert.that(docs).inOnTimePane(SECOND)
        .satisfies(documentsFrom(range(400, 416), "the second window as sent"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aDocumentForAFiredWindowGivesNoExampleAndNoFailure(TestPipeline pipeline) {
    In2Pipeline.Outputs out = build(pipeline, droppable());
    PAssert.that(out.examples()).inWindow(FIRST)
        .satisfies(examplesFrom(range(0, 16), "the first window, without the dropped record"));
    PAssert.that(out.examples()).inWindow(SECOND)
        .satisfies(examplesFrom(range(400, 416), "the second window, without it too"));
    PAssert.that(out.failures()).satisfies(failures -> {
      for (Failure f : failures) {
        assertTrue(f.getSource().getOffset() != 200, "the dropped record is not a failure either");
      }
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  // -- what the sources do instead: clamp the old record into the open window ------------------

  /** The droppable case's arrival order, stamped the way the Kafka sources stamp a partition. */
  private static TestStream<RawRecord> clamped() {
    EventTimeClamp clamp = new EventTimeClamp(s(5), Long.MIN_VALUE);
    List<long[]> arrivals = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      arrivals.add(new long[] {i, s(2 + 3 * i)});
    }
    arrivals.add(new long[] {400, WINDOW_MS + s(6)}); // the watermark moves to 61 s
    arrivals.add(new long[] {200, s(30)}); // old: would be droppable
    for (int i = 1; i < 16; i++) {
      arrivals.add(new long[] {400 + i, WINDOW_MS + s(7 + 3L * i)});
    }
    TestStream.Builder<RawRecord> stream = TestStream.create(AvroCoder.of(RawRecord.class));
    long watermark = W0.getMillis();
    for (long[] a : arrivals) {
      // The record keeps its Kafka timestamp; its element timestamp is the clamped event time.
      long eventTime = clamp.eventTime(W0.getMillis() + a[1]);
      if (a[0] == 200) {
        assertEquals(SECOND.start().plus(Duration.standardSeconds(1)), new Instant(eventTime),
            "clamped to the watermark, inside the open window");
      }
      stream = stream.addElements(
          TimestampedValue.of(doc(a[0], a[1]).getValue(), new Instant(eventTime)));
      if (clamp.watermark() > watermark) {
        watermark = clamp.watermark();
        stream = stream.advanceWatermarkTo(new Instant(watermark));
      }
    }
    assertEquals(1, clamp.clampedCount());
    return stream.advanceWatermarkToInfinity();
  }

  private static final Set<Long> CLAMPED_INTO_SECOND = union(Set.of(200L), range(400, 416));

  @Test
  void theSourceClampPutsAnOldRecordInTheOnTimePaneOfTheOpenWindow(TestPipeline pipeline) {
    PCollection<Document> docs = grouped(pipeline, clamped());
    PAssert.that(docs).inOnTimePane(FIRST)
        .satisfies(documentsFrom(range(0, 16), "the first window as it was"));
    PAssert.that(docs).inOnTimePane(SECOND)
        .satisfies(documentsFrom(CLAMPED_INTO_SECOND, "the old record, on time"));
    PAssert.that(docs).inLatePane(FIRST).empty();
    PAssert.that(docs).inLatePane(SECOND).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void theSourceClampKeepsTheOldRecordsExample(TestPipeline pipeline) {
    In2Pipeline.Outputs out = build(pipeline, clamped());
    PAssert.that(out.examples()).inWindow(SECOND)
        .satisfies(examplesFrom(CLAMPED_INTO_SECOND, "the old record has its example"));
    pipeline.run().waitUntilFinish();
  }
}
