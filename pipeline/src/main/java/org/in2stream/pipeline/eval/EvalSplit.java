package org.in2stream.pipeline.eval;

import java.io.Serializable;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.in2stream.pipeline.util.Seeds;
import org.in2stream.schema.Document;

/**
 * Routes each document to the training side or the evaluation side ({@code --evalSplit}), after
 * deduplication and decontamination and before segmentation, so an evaluation document is never the
 * source or a filler of a training example (it never reaches the filler pool, the generator's
 * training requests or the QA journal), and a training document never reaches a probe. The decision
 * is a pure function of the document: a seeded hash of its stable id ({@code hash:<share>}) or its
 * Kafka timestamp ({@code after:<ISO instant>}), so every replay, at any parallelism, routes alike.
 */
public final class EvalSplit extends PTransform<PCollection<Document>, PCollectionTuple> {
  public static final TupleTag<Document> TRAIN = new TupleTag<>() {};
  public static final TupleTag<Document> EVAL = new TupleTag<>() {};
  /** The purpose under which the hash rule draws ({@link Seeds#uniform}). */
  static final String PURPOSE = "eval-split";

  /** How documents are routed; parse it from {@code --evalSplit} with {@link #parse}. */
  public record Rule(Mode mode, double share, long afterMillis) implements Serializable {
    /** The two rules. */
    public enum Mode {
      /** A seeded hash of the document id below {@code share} goes to evaluation. */
      HASH,
      /** A document whose Kafka timestamp is at or after {@code afterMillis} goes to evaluation. */
      AFTER
    }

    public Rule {
      if (mode == Mode.HASH && !(share > 0 && share < 1)) {
        throw new IllegalArgumentException("--evalSplit=hash:<share> needs 0 < share < 1 (got "
            + share + ")");
      }
    }

    /** True when {@code doc} belongs to the evaluation side. */
    public boolean isEval(Document doc, long seed) {
      return switch (mode) {
        case HASH -> Seeds.uniform(seed, PURPOSE, doc.getId()) < share;
        case AFTER -> doc.getSource().getTimestamp() >= afterMillis;
      };
    }

    /** The option's spelling of this rule. */
    public String describe() {
      return mode == Mode.HASH ? "hash:" + share : "after:" + Instant.ofEpochMilli(afterMillis);
    }
  }

  /**
   * The rule of {@code --evalSplit}: null for none (blank or {@code none}), {@code hash:<share>}
   * (e.g. {@code hash:0.1}) or {@code after:<ISO-8601 instant>} (e.g.
   * {@code after:2026-12-01T00:00:00Z}).
   */
  public static Rule parse(String spec) {
    if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("none")) {
      return null;
    }
    String s = spec.trim();
    int colon = s.indexOf(':');
    String kind = colon < 0 ? s : s.substring(0, colon).toLowerCase(Locale.ROOT);
    String value = colon < 0 ? "" : s.substring(colon + 1).trim();
    switch (kind) {
      case "hash" -> {
        double share;
        try {
          share = Double.parseDouble(value);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--evalSplit=" + spec + ": the share after hash: "
              + "must be a number between 0 and 1, e.g. hash:0.1");
        }
        return new Rule(Rule.Mode.HASH, share, 0);
      }
      case "after" -> {
        try {
          return new Rule(Rule.Mode.AFTER, 0, Instant.parse(value).toEpochMilli());
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("--evalSplit=" + spec + ": the time after after: "
              + "must be an ISO-8601 instant, e.g. after:2026-12-01T00:00:00Z");
        }
      }
      default -> throw new IllegalArgumentException("--evalSplit=" + spec + ": use none, "
          + "hash:<share> (e.g. hash:0.1) or after:<ISO instant> (e.g. after:2026-12-01T00:00:00Z)");
    }
  }

  private final Rule rule;
  private final long seed;

  public EvalSplit(Rule rule, long seed) {
    this.rule = rule;
    this.seed = seed;
  }

  @Override
  public PCollectionTuple expand(PCollection<Document> docs) {
    return docs.apply("Route", ParDo.of(new RouteFn(rule, seed))
        .withOutputTags(TRAIN, TupleTagList.of(EVAL)));
  }

  static final class RouteFn extends DoFn<Document, Document> {
    private final Rule rule;
    private final long seed;
    private final Counter training = Metrics.counter(EvalSplit.class, "documents_training");
    private final Counter evaluation = Metrics.counter(EvalSplit.class, "documents_evaluation");

    RouteFn(Rule rule, long seed) {
      this.rule = rule;
      this.seed = seed;
    }

    @ProcessElement
    public void process(@Element Document doc, MultiOutputReceiver out) {
      if (rule.isEval(doc, seed)) {
        evaluation.inc();
        out.get(EVAL).output(doc);
      } else {
        training.inc();
        out.get(TRAIN).output(doc);
      }
    }
  }
}
