package org.in2stream.pipeline.assemble;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.pipeline.util.WorkerSetupException;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Segment;

/**
 * Removes boilerplate from each document before questions are asked: a segment whose normalised
 * text is boilerplate in the document's filler horizon ({@link HorizonPool#boilerplate}) is never
 * asked about, and a boilerplate line inside a longer segment (a footer merged into the last
 * paragraph's segment) is cut out of it, its token count taken again. The kept segments keep their {@link Segment#getIndex()} values (so a
 * document's indexes may have gaps). A document with nothing left becomes a {@link
 * Reason#BOILERPLATE_ONLY} dead letter. The decision reads the same side input as the filler pool of
 * the document's window, so it depends only on the horizon's contents, never on arrival order. Only
 * the pool's boilerplate hashes (not its segments) reach the documents, through {@link JoinWithPool}.
 *
 * <p>Counters (namespace {@code DropBoilerplate}): {@code segments_removed}, {@code
 * characters_removed}, {@code segments_shortened}, {@code documents_with_boilerplate}, {@code
 * documents_boilerplate_only}.
 */
public final class DropBoilerplate
    extends PTransform<PCollection<List<Segment>>, PCollectionTuple> {
  public static final String STAGE = "DropBoilerplate";
  public static final TupleTag<List<Segment>> KEPT = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  static final TupleTag<List<Segment>> DOCUMENTS = new TupleTag<>() {};
  static final TupleTag<HorizonPool> BOILERPLATE = new TupleTag<>() {};

  private final PCollection<HorizonPool> pools;
  private final String tokenizerSpec;

  /**
   * @param pools the pool of each window's horizon, in the horizon's sliding windows
   * @param tokenizerSpec the pipeline tokenizer, to count the tokens of a segment that lost lines
   */
  public DropBoilerplate(PCollection<HorizonPool> pools, String tokenizerSpec) {
    this.pools = pools;
    this.tokenizerSpec = tokenizerSpec;
  }

  @Override
  public PCollectionTuple expand(PCollection<List<Segment>> documents) {
    PCollection<HorizonPool> boilerplate = pools
        .apply("BoilerplateOnly", ParDo.of(new BoilerplateOnlyFn()))
        .setCoder(new HorizonPool.Coder());
    PCollectionTuple out = documents
        .apply("WithBoilerplate", new JoinWithPool<>(boilerplate, new HorizonPool.Coder(),
            DropBoilerplate::shardKey, DOCUMENTS, BOILERPLATE))
        .apply("Drop", ParDo.of(new DropFn(tokenizerSpec))
            .withOutputTags(KEPT, TupleTagList.of(FAILURES)));
    out.get(KEPT).setCoder(ListCoder.of(AvroCoder.specific(Segment.class)));
    return out;
  }

  private static String shardKey(List<Segment> document) {
    return document.isEmpty() ? "" : document.get(0).getDocId();
  }

  /** The pool without its segments: all a document needs to drop its boilerplate. */
  static final class BoilerplateOnlyFn extends DoFn<HorizonPool, HorizonPool> {
    @ProcessElement
    public void process(@Element HorizonPool pool, OutputReceiver<HorizonPool> out) {
      out.output(pool.withoutSegments());
    }
  }

  static final class DropFn extends DoFn<KV<Integer, CoGbkResult>, List<Segment>> {    private final Counter segments = Metrics.counter(DropBoilerplate.class, "segments_removed");
    private final Counter characters =
        Metrics.counter(DropBoilerplate.class, "characters_removed");
    private final Counter touched =
        Metrics.counter(DropBoilerplate.class, "documents_with_boilerplate");
    private final Counter only =
        Metrics.counter(DropBoilerplate.class, "documents_boilerplate_only");
    private final Counter lines = Metrics.counter(DropBoilerplate.class, "segments_shortened");
    private final String tokenizerSpec;
    private transient TextTokenizer tokenizer;

    DropFn(String tokenizerSpec) {
      this.tokenizerSpec = tokenizerSpec;
    }

    @Setup
    public void setup() {
      tokenizer = WorkerSetupException.during("the tokenizer " + tokenizerSpec,
          () -> Tokenizers.load(tokenizerSpec));
    }

    /** The documents of one shard of one window, with the window's boilerplate. */
    @ProcessElement
    public void process(@Element KV<Integer, CoGbkResult> group, MultiOutputReceiver out) {
      HorizonPool p = JoinWithPool.valueOf(group.getValue(), BOILERPLATE);
      for (List<Segment> document : group.getValue().getAll(DOCUMENTS)) {
        if (p == null) {
          // No pool: the horizon holds no segment, so no text of it repeats; nothing to drop.
          out.get(KEPT).output(document);
        } else {
          drop(document, p, out);
        }
      }
    }

    private void drop(List<Segment> document, HorizonPool p, MultiOutputReceiver out) {
      List<Segment> kept = new ArrayList<>(document.size());
      long chars = 0;
      int shortened = 0;
      for (Segment s : document) {
        String text = p.isBoilerplate(s) ? "" : p.withoutBoilerplateLines(s.getText());
        if (text.isEmpty()) {
          chars += s.getText().length();
        } else if (text.length() < s.getText().length()) { // a removed line is never blank
          chars += s.getText().length() - text.length();
          shortened++;
          kept.add(Segment.newBuilder(s).setText(text).setTokens(tokenizer.count(text)).build());
        } else {
          kept.add(s);
        }
      }
      if (kept.size() == document.size() && shortened == 0) {
        out.get(KEPT).output(document);
        return;
      }
      touched.inc();
      segments.inc(document.size() - kept.size());
      lines.inc(shortened);
      characters.inc(chars);
      if (!kept.isEmpty()) {
        out.get(KEPT).output(kept);
        return;
      }
      only.inc();
      Segment first = document.get(0);
      StringBuilder text = new StringBuilder();
      for (Segment s : document) {
        text.append(text.length() == 0 ? "" : "\n").append(s.getText());
      }
      out.get(FAILURES).output(Failures.ofText(STAGE, Reason.BOILERPLATE_ONLY, "all "
          + document.size() + " segments repeat in other documents of the filler horizon",
          first.getDocId(), first.getSource(), text.toString()));
    }
  }
}
