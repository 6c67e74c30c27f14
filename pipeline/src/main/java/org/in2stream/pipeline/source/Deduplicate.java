package org.in2stream.pipeline.source;

import java.util.Comparator;
import java.util.Locale;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.in2stream.pipeline.dedup.DedupSettings;
import org.in2stream.pipeline.dedup.ExactDuplicates;
import org.in2stream.pipeline.dedup.HorizonWindows;
import org.in2stream.pipeline.dedup.ItemKeys;
import org.in2stream.pipeline.dedup.Match;
import org.in2stream.pipeline.dedup.NearDuplicates;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Source;
import org.joda.time.Duration;

/**
 * Exact and near-duplicate documents across a horizon of event time (docs/dedup.md). The documents
 * leave their windows for the global window, where keyed state with event-time timers remembers the
 * last {@code horizon}: first exact copies ({@link ExactDuplicates}, keyed by the SHA-256 of the
 * cleaned text), then near copies ({@link NearDuplicates}: MinHash over word 5-grams, LSH bands,
 * estimated Jaccard at least the threshold). The earliest document (event time, then topic,
 * partition, offset) is kept whatever the arrival order; the others become {@link Reason#DUPLICATE}
 * or {@link Reason#NEAR_DUPLICATE} dead letters naming the earlier one. Kept documents return to
 * their windows with their own timestamps, in the pane the window fires.
 */
public final class Deduplicate extends PTransform<PCollection<Document>, PCollectionTuple> {
  public static final String STAGE = "Deduplicate";
  public static final TupleTag<Document> UNIQUE = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  /** The order that decides which copy of equal event time is kept: the smallest source position. */
  public static final Comparator<Source> FIRST = Comparator.comparing(Source::getTopic)
      .thenComparingInt(Source::getPartition)
      .thenComparingLong(Source::getOffset);

  /** A document's id, its Kafka position as tie-break (ordered like {@link #FIRST}), its text. */
  public static final ItemKeys<Document> KEYS = new ItemKeys<>() {
    @Override
    public String id(Document d) {
      return d.getId();
    }

    @Override
    public String orderKey(Document d) {
      Source s = d.getSource();
      // fixed-width hex keeps the string order equal to the numeric order (both are >= 0)
      return String.format(Locale.ROOT, "%s\u0000%08x\u0000%016x", s.getTopic(),
          s.getPartition(), s.getOffset());
    }

    @Override
    public String text(Document d) {
      return d.getText();
    }

    /** The document id (the JSON id, else derived from the url): equal for fetches of one page. */
    @Override
    public String page(Document d) {
      return d.getId();
    }
  };

  private final Duration horizon;
  private final NearDuplicates.Settings near;

  /** The defaults: a 7-day horizon, near duplicates at estimated Jaccard 0.8. */
  public Deduplicate() {
    this(DedupSettings.DEFAULT);
  }

  public Deduplicate(DedupSettings settings) {
    this.horizon = settings.horizon();
    this.near = settings.documents();
  }

  @Override
  public PCollectionTuple expand(PCollection<Document> docs) {
    WindowingStrategy<?, ?> original = docs.getWindowingStrategy();
    Coder<Document> coder = AvroCoder.specific(Document.class);
    ExactDuplicates<Document> exact =
        new ExactDuplicates<>(KEYS, Document::getContentSha256, horizon, coder);
    NearDuplicates<Document> similar = new NearDuplicates<>(KEYS, near, coder);

    PCollectionTuple exactOut = docs
        .apply("IntoHorizon", HorizonWindows.intoGlobal())
        .apply("ExactDuplicates", exact);
    PCollectionTuple nearOut = exactOut.get(exact.kept).apply("NearDuplicates", similar);

    PCollection<Document> unique = nearOut.get(similar.kept)
        .apply("BackToWindows", HorizonWindows.backAndFire(original, KEYS));
    PCollection<Failure> failures = PCollectionList
        .of(exactOut.get(exact.duplicates).apply("DuplicateFailures",
            MapElements.into(TypeDescriptor.of(Failure.class)).via(Deduplicate::duplicate)))
        .and(nearOut.get(similar.nearDuplicates).apply("NearDuplicateFailures",
            MapElements.into(TypeDescriptor.of(Failure.class)).via(Deduplicate::nearDuplicate)))
        .apply("AllDuplicates", Flatten.pCollections())
        .setCoder(AvroCoder.specific(Failure.class))
        .apply("FailuresBackToWindows", HorizonWindows.back(original));
    return PCollectionTuple.of(UNIQUE, unique).and(FAILURES, failures);
  }

  static Failure duplicate(KV<Document, Match> dup) {
    Metrics.counter(Deduplicate.class, "duplicates").inc();
    Document copy = dup.getKey();
    Match kept = dup.getValue();
    return Failures.ofText(STAGE, Reason.DUPLICATE, "same text (sha256 " + copy.getContentSha256()
        + ") as " + kept.id() + " at " + position(kept.orderKey()) + ", the kept copy",
        copy.getId(), copy.getSource(), copy.getText());
  }

  static Failure nearDuplicate(KV<Document, Match> dup) {
    Metrics.counter(Deduplicate.class, "near_duplicates").inc();
    Document copy = dup.getKey();
    Match earlier = dup.getValue();
    String message = earlier.id().equals(copy.getId())
        ? String.format(Locale.ROOT, "re-crawl of page %s (estimated Jaccard %.2f, at least "
            + "--recrawlThreshold) first fetched at %s, the earliest similar fetch of the horizon",
            earlier.id(), earlier.jaccard(), position(earlier.orderKey()))
        : String.format(Locale.ROOT, "near-copy (estimated Jaccard %.2f) of %s at %s, the earliest "
            + "similar document of the horizon", earlier.jaccard(), earlier.id(),
            position(earlier.orderKey()));
    return Failures.ofText(STAGE, Reason.NEAR_DUPLICATE, message,
        copy.getId(), copy.getSource(), copy.getText());
  }

  /** {@code topic/partition@offset} from an order key of {@link #KEYS}. */
  static String position(String orderKey) {
    String[] parts = orderKey.split("\u0000");
    return parts[0] + "/" + Long.parseLong(parts[1], 16) + "@" + Long.parseLong(parts[2], 16);
  }
}
