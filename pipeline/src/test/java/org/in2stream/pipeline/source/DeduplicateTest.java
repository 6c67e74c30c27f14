package org.in2stream.pipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.dedup.DedupSettings;
import org.in2stream.pipeline.dedup.ExactDuplicates;
import org.in2stream.pipeline.dedup.MinHash;
import org.in2stream.pipeline.dedup.NearDuplicates;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Source;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dedup across time with {@link TestStream}: documents in 10-minute event-time windows, copies in
 * other windows, later copies arriving first, and copies after the horizon.
 */
@ExtendWith(TestPipelineExtension.class)
class DeduplicateTest {
  private static final Duration WINDOW = Duration.standardMinutes(10);
  private static final long T0 = 1_700_000_400_000L - 1_700_000_400_000L % WINDOW.getMillis();
  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;
  /** A one-hour horizon, the default thresholds. */
  private static final DedupSettings ONE_HOUR = new DedupSettings(1,
      DedupSettings.DEFAULT_NEAR_THRESHOLD, DedupSettings.DEFAULT_QUESTION_THRESHOLD);

  private static Document doc(String text, int partition, long offset) {
    return doc("d-" + partition + "-" + offset, text, partition, offset, 1000L);
  }

  private static Document doc(String id, String text, int partition, long offset, long ts) {
    return Document.newBuilder().setId(id).setText(text)
        .setContentSha256(Hashing.sha256Hex(text))
        .setSource(new Source("t", partition, offset, ts)).build();
  }

  private static TimestampedValue<Document> at(Document d) {
    return TimestampedValue.of(d, new Instant(d.getSource().getTimestamp()));
  }

  private static IntervalWindow windowOf(long ts) {
    long start = ts - Math.floorMod(ts, WINDOW.getMillis());
    return new IntervalWindow(new Instant(start), WINDOW);
  }

  // Ten paragraphs of body, a date line and a footer: a page, its re-crawl with another date line
  // and footer, and an unrelated page that shares one paragraph with it.
  private static final String BODY = TestTexts.document(21, 10);
  private static final String PAGE = "Published 2 November 2026, 09:14\n" + BODY
      + "\nCopyright 2026 Example News. All rights reserved. Contact us.";
  private static final String RECRAWL = "Published 3 November 2026, 17:40 (updated)\n" + BODY
      + "\nCopyright 2026 Example News Group. Cookie settings. Subscribe to our newsletter.";
  private static final String SHARES_A_PARAGRAPH;

  static {
    List<String> paragraphs = new ArrayList<>(List.of(TestTexts.document(22, 10).split("\n")));
    paragraphs.set(3, BODY.split("\n")[3]);
    SHARES_A_PARAGRAPH = String.join("\n", paragraphs);
  }

  private static final Document ORIGINAL = doc("page", PAGE, 0, 10, T0 + 10_000);
  private static final Document EXACT_COPY = doc("page-again", PAGE, 1, 3, T0 + 30 * MINUTE);
  private static final Document NEAR_COPY = doc("page-recrawl", RECRAWL, 0, 40, T0 + 50 * MINUTE);
  private static final Document OTHER = doc("other", SHARES_A_PARAGRAPH, 0, 30, T0 + 40 * MINUTE);

  private static PCollectionTuple dedup(TestPipeline pipeline, TestStream<Document> events,
      DedupSettings settings) {
    return pipeline.apply(events)
        .apply(Window.into(FixedWindows.of(WINDOW)))
        .apply("Deduplicate", new Deduplicate(settings));
  }

  /** docId → "REASON message" of each dead letter. */
  private static SerializableFunction<Iterable<Failure>, Void> failures(
      Map<String, String> expectedReasons, Map<String, String> expectedKept) {
    return failures -> {
      Map<String, String> reasons = new TreeMap<>();
      for (Failure f : failures) {
        reasons.put(f.getDocId(), f.getReason());
        String kept = expectedKept.get(f.getDocId());
        assertTrue(kept != null && f.getMessage().contains(" " + kept + " "),
            f.getDocId() + " names " + kept + ": " + f.getMessage());
        assertEquals("Deduplicate", f.getStage());
      }
      assertEquals(new TreeMap<>(expectedReasons), reasons);
      return null;
    };
  }

  private static void assertCopiesCaught(TestPipeline pipeline, TestStream<Document> events) {
    PCollectionTuple out = dedup(pipeline, events, DedupSettings.DEFAULT);
    PAssert.that(out.get(Deduplicate.UNIQUE)).containsInAnyOrder(ORIGINAL, OTHER);
    // kept documents are back in their own windows
    PAssert.that(out.get(Deduplicate.UNIQUE)).inWindow(windowOf(ORIGINAL.getSource().getTimestamp()))
        .containsInAnyOrder(ORIGINAL);
    PAssert.that(out.get(Deduplicate.UNIQUE)).inWindow(windowOf(OTHER.getSource().getTimestamp()))
        .containsInAnyOrder(OTHER);
    PAssert.that(out.get(Deduplicate.FAILURES)).satisfies(failures(
        Map.of("page-again", "DUPLICATE", "page-recrawl", "NEAR_DUPLICATE"),
        Map.of("page-again", "page", "page-recrawl", "page")));
    // the dead letters are in the windows of the copies
    PAssert.that(out.get(Deduplicate.FAILURES))
        .inWindow(windowOf(NEAR_COPY.getSource().getTimestamp()))
        .satisfies(fs -> {
          assertEquals(List.of("page-recrawl"), StreamSupport.stream(fs.spliterator(), false)
              .map(Failure::getDocId).toList());
          return null;
        });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void exactAndNearCopiesInLaterWindowsAreCaughtAndASharedParagraphIsNot(TestPipeline pipeline) {
    assertCopiesCaught(pipeline, TestStream.create(AvroCoder.of(Document.class))
        .addElements(at(ORIGINAL))
        .advanceWatermarkTo(new Instant(T0 + 20 * MINUTE))
        .addElements(at(EXACT_COPY))
        .advanceWatermarkTo(new Instant(T0 + 35 * MINUTE))
        .addElements(at(OTHER))
        .addElements(at(NEAR_COPY))
        .advanceWatermarkToInfinity());
  }

  @Test
  void laterCopiesArrivingFirstStillLoseToTheEarliestDocument(TestPipeline pipeline) {
    // Reversed arrival: the copies (later event times) arrive first; the original arrives last,
    // while the watermark is still before it.
    assertCopiesCaught(pipeline, TestStream.create(AvroCoder.of(Document.class))
        .addElements(at(NEAR_COPY))
        .addElements(at(EXACT_COPY), at(OTHER))
        .advanceWatermarkTo(new Instant(T0 + 5_000))
        .addElements(at(ORIGINAL))
        .advanceWatermarkToInfinity());
  }

  @Test
  void copiesAfterTheHorizonAreKeptAndTheExpiredStateIsCleared(TestPipeline pipeline) {
    Document first = doc("a1", PAGE, 0, 1, T0 + 10_000);
    Document b = doc("b1", SHARES_A_PARAGRAPH, 0, 2, T0 + 20_000);
    // after the horizon of one hour
    Document second = doc("a2", PAGE, 0, 3, T0 + 2 * HOUR + 10_000);
    Document bLater = doc("b2", SHARES_A_PARAGRAPH + "\nComments are closed.", 0, 4,
        T0 + HOUR + 40 * MINUTE);
    // within the horizon of the second copy: a duplicate of it, not of the expired first one
    Document third = doc("a3", PAGE, 0, 5, T0 + 2 * HOUR + 30 * MINUTE);
    TestStream<Document> events = TestStream.create(AvroCoder.of(Document.class))
        .addElements(at(first), at(b))
        .advanceWatermarkTo(new Instant(T0 + HOUR + 30 * MINUTE)) // expiry timers fire here
        .addElements(at(second), at(bLater))
        .addElements(at(third))
        .advanceWatermarkToInfinity();
    PCollectionTuple out = dedup(pipeline, events, ONE_HOUR);
    PAssert.that(out.get(Deduplicate.UNIQUE)).containsInAnyOrder(first, b, second, bLater);
    PAssert.that(out.get(Deduplicate.FAILURES)).satisfies(failures(Map.of("a3", "DUPLICATE"),
        Map.of("a3", "a2")));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    // The expiry timers fired and cleared state: one exact key (the first copy's) and the 14 band
    // sketches of each of a1 and b1.
    assertTrue(counter(result, ExactDuplicates.class, "keys_expired") >= 1);
    assertTrue(counter(result, NearDuplicates.class, "sketches_expired") >= 28);
  }

  @Test
  void aCopyExactlyAtTheHorizonIsADuplicateAndOneMillisecondLaterIsNot(TestPipeline pipeline) {
    Document first = doc("x1", PAGE, 0, 1, T0);
    Document atHorizon = doc("x2", PAGE, 0, 2, T0 + HOUR);
    String unrelated = TestTexts.document(23, 10);
    Document other = doc("y1", unrelated, 1, 1, T0 + 5 * MINUTE);
    Document justAfter = doc("y2", unrelated, 1, 2, T0 + 5 * MINUTE + HOUR + 1);
    TestStream<Document> events = TestStream.create(AvroCoder.of(Document.class))
        .addElements(at(justAfter), at(atHorizon), at(other), at(first))
        .advanceWatermarkToInfinity();
    PCollectionTuple out = dedup(pipeline, events, ONE_HOUR);
    PAssert.that(out.get(Deduplicate.UNIQUE)).containsInAnyOrder(first, other, justAfter);
    PAssert.that(out.get(Deduplicate.FAILURES)).satisfies(failures(Map.of("x2", "DUPLICATE"),
        Map.of("x2", "x1")));
    pipeline.run().waitUntilFinish();
  }

  // A short page whose re-crawl changed its date line, ad block and footer: about 0.7 alike, under
  // the document threshold of 0.8 and over the re-crawl threshold of 0.6.
  private static final String SHORT_BODY = TestTexts.document(31, 3);
  private static final String SHORT_PAGE = "Published March 3, 2024. Last updated Monday at 9:15.\n"
      + SHORT_BODY + "\nAdvertisement. Save 20 percent on garden furniture this weekend only.\n"
      + "Copyright 2024 Example News. All rights reserved. Read our privacy policy.";
  private static final String SHORT_RECRAWL = "Published March 3, 2024. Last updated Thursday at"
      + " 4:50.\n" + SHORT_BODY + "\nAdvertisement. Cheap flights to the coast from 49 euros, book"
      + " before Sunday.\nCopyright 2025 Example News. All rights reserved. Read our privacy policy.";

  private static double trueJaccard(String a, String b) {
    Set<String> x = new HashSet<>(MinHash.shingles(a, DedupSettings.DOCUMENT_MINHASH
        .maxShingleWords()));
    Set<String> y = new HashSet<>(MinHash.shingles(b, DedupSettings.DOCUMENT_MINHASH
        .maxShingleWords()));
    Set<String> union = new HashSet<>(x);
    union.addAll(y);
    x.retainAll(y);
    return x.size() / (double) union.size();
  }

  private static final Document SHORT_PAGE_DOC = doc("news/page-1", SHORT_PAGE, 0, 5, T0 + 10_000);
  private static final Document SHORT_RECRAWL_DOC =
      doc("news/page-1", SHORT_RECRAWL, 0, 900, T0 + 45 * MINUTE);

  @Test
  void aReCrawlOfOnePageIsANearDuplicateUnderTheDocumentThreshold(TestPipeline pipeline) {
    double j = trueJaccard(SHORT_PAGE, SHORT_RECRAWL);
    assertTrue(j > 0.62 && j < 0.76, "the fixture must sit between the two thresholds: " + j);
    TestStream<Document> events = TestStream.create(AvroCoder.of(Document.class))
        .addElements(at(SHORT_RECRAWL_DOC)) // the later fetch first
        .advanceWatermarkTo(new Instant(T0 + 5_000))
        .addElements(at(SHORT_PAGE_DOC))
        .advanceWatermarkToInfinity();
    PCollectionTuple out = dedup(pipeline, events, DedupSettings.DEFAULT);
    PAssert.that(out.get(Deduplicate.UNIQUE)).containsInAnyOrder(SHORT_PAGE_DOC);
    PAssert.that(out.get(Deduplicate.FAILURES)).satisfies(failures -> {
      List<Failure> all = new ArrayList<>();
      failures.forEach(all::add);
      assertEquals(1, all.size(), all.toString());
      Failure f = all.get(0);
      assertEquals("NEAR_DUPLICATE", f.getReason());
      assertEquals(900L, f.getSource().getOffset());
      assertTrue(f.getMessage().startsWith("re-crawl of page news/page-1 ")
          && f.getMessage().contains("first fetched at t/0@5"), f.getMessage());
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  /** Runs {@code docs} through dedup with {@code settings} and expects every one kept. */
  private static void assertAllKept(TestPipeline pipeline, DedupSettings settings,
      Document... docs) {
    TestStream.Builder<Document> events = TestStream.create(AvroCoder.of(Document.class));
    for (Document d : docs) {
      events = events.addElements(at(d));
    }
    PCollectionTuple out = dedup(pipeline, events.advanceWatermarkToInfinity(), settings);
    PAssert.that(out.get(Deduplicate.UNIQUE)).containsInAnyOrder(docs);
    PAssert.that(out.get(Deduplicate.FAILURES)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void theSameTextsUnderTwoPageIdsNeedTheDocumentThreshold(TestPipeline pipeline) {
    assertAllKept(pipeline, DedupSettings.DEFAULT,
        doc("news/page-2", SHORT_RECRAWL, 1, 7, T0 + 50 * MINUTE), SHORT_PAGE_DOC);
  }

  @Test
  void withTheReCrawlThresholdOffAReCrawlUnderTheDocumentThresholdIsKept(TestPipeline pipeline) {
    assertAllKept(pipeline, new DedupSettings(DedupSettings.DEFAULT_HORIZON_HOURS,
        DedupSettings.DEFAULT_NEAR_THRESHOLD, DedupSettings.DEFAULT_QUESTION_THRESHOLD, 0),
        SHORT_PAGE_DOC, SHORT_RECRAWL_DOC);
  }

  private static long counter(PipelineResult result, Class<?> namespace, String name) {
    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(namespace, name)).build());
    long sum = 0;
    for (MetricResult<Long> c : metrics.getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  @Test
  void orderKeysSortLikeTheSourcePositionAndNameIt() {
    List<Source> sources = List.of(new Source("t", 0, 10L, 0L), new Source("t", 0, 9L, 0L),
        new Source("t", 1, 0L, 0L), new Source("s", 5, 5L, 0L), new Source("t2", 0, 0L, 0L),
        new Source("t", 0, 100_000_000_000L, 0L), new Source("t", 12, 0L, 0L),
        new Source("t", 2, 255L, 0L), new Source("t", 2, 256L, 0L));
    List<Source> byPosition = sources.stream().sorted(Deduplicate.FIRST).toList();
    List<Source> byKey = sources.stream().sorted(java.util.Comparator.comparing(
        (Source s) -> Deduplicate.KEYS.orderKey(Document.newBuilder(doc("x", "x", 0, 0, 0))
            .setSource(s).build()))).toList();
    assertEquals(byPosition, byKey);
    assertEquals("t/12@100000000000", Deduplicate.position(Deduplicate.KEYS.orderKey(
        doc("x", "x", 12, 100_000_000_000L, 0))));
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
          .peek(f -> assertTrue(f.getMessage().contains(" d-0-9 at t/0@9"), f.getMessage()))
          .map(f -> f.getDocId()).sorted().toList();
      assertEquals(List.of("d-1-0", "d-1-2"), ids);
      return null;
    });
    pipeline.run().waitUntilFinish();
  }
}
