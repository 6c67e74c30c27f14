package org.in2stream.pipeline.source;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.joda.time.Duration;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.RawRecord;
import org.in2stream.schema.Source;

/**
 * Reads raw bytes, windows them by event time and decodes them strictly into {@link Document}s; every
 * undecodable value becomes a {@link Failure}. Decoding happens in our own DoFn (not in a KafkaIO
 * deserializer or error handler), which keeps the Flink runner on the classic unbounded reader
 * (DESIGN.md section 6).
 */
public final class ReadDocuments extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<Document> DOCUMENTS = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  private final PTransform<PBegin, PCollection<RawRecord>> source;
  private final Duration window;
  private final DocumentDecoder.Settings settings;

  /**
   * @param source raw records with their event times ({@link RawKafka}, or test data)
   * @param window fixed event-time windows; every later step (and the filler pool) works per window
   * @param settings input format and size limit
   */
  public ReadDocuments(PTransform<PBegin, PCollection<RawRecord>> source, Duration window,
      DocumentDecoder.Settings settings) {
    this.source = source;
    this.window = window;
    this.settings = settings;
  }

  public ReadDocuments(PTransform<PBegin, PCollection<RawRecord>> source, Duration window) {
    this(source, window, DocumentDecoder.Settings.DEFAULT);
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    return input
        .apply("ReadRaw", source)
        .apply("Window", Window.<RawRecord>into(FixedWindows.of(window)))
        .apply("Decode", ParDo.of(new DecodeFn(settings))
            .withOutputTags(DOCUMENTS, TupleTagList.of(FAILURES)));
  }

  static final class DecodeFn extends DoFn<RawRecord, Document> {
    private final Counter read = Metrics.counter(ReadDocuments.class, "records_read");
    private final Counter decoded = Metrics.counter(ReadDocuments.class, "documents_decoded");
    private final Counter failed = Metrics.counter(ReadDocuments.class, "records_failed");
    private final Counter invisible =
        Metrics.counter(ReadDocuments.class, "invisible_chars_removed");
    private final Counter controls = Metrics.counter(ReadDocuments.class, "control_chars_removed");
    private final Counter withInvisible =
        Metrics.counter(ReadDocuments.class, "documents_with_invisible_chars");
    private final DocumentDecoder.Settings settings;

    DecodeFn(DocumentDecoder.Settings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element RawRecord raw, MultiOutputReceiver out) {
      read.inc();
      DocumentDecoder.Decoded d;
      try {
        d = DocumentDecoder.decode(raw, settings);
      } catch (RuntimeException | StackOverflowError e) {
        // never expected; the input is kept (bounded) with its offset, and the job goes on
        Source source = new Source(raw.getTopic(), raw.getPartition(), raw.getOffset(),
            raw.getTimestamp());
        d = new DocumentDecoder.Decoded(null, raw.getValue() == null
            ? Failures.ofBytes(DocumentDecoder.STAGE, Reason.INTERNAL_ERROR, e.toString(), null,
                source, new byte[0])
            : Failures.ofLargeBuffer(DocumentDecoder.STAGE, Reason.INTERNAL_ERROR, e.toString(),
                null, source, raw.getValue()));
      }
      invisible.inc(d.invisibleRemoved());
      controls.inc(d.controlsRemoved());
      if (d.invisibleRemoved() > 0) {
        withInvisible.inc();
      }
      if (d.document() != null) {
        decoded.inc();
        out.get(DOCUMENTS).output(d.document());
      } else {
        failed.inc();
        out.get(FAILURES).output(d.failure());
      }
    }
  }
}
