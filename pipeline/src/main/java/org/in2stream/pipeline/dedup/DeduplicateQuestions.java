package org.in2stream.pipeline.dedup;

import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.verify.Tokens;
import org.in2stream.schema.Failure;
import org.in2stream.schema.QaPair;

/**
 * Near-duplicate questions across the dedup horizon: the same question asked again for the same
 * answer. A later QA pair is a {@link Reason#DUPLICATE_QUESTION} of an earlier one (another request
 * key) when both hold:
 *
 * <ol>
 *   <li>the pairs are near-copies: the estimated Jaccard similarity of the word shingles of
 *       question and answer together ({@link DedupSettings#QUESTION_MINHASH}; LSH finds the
 *       candidates) is at least the threshold ({@code --duplicateQuestionThreshold}), and</li>
 *   <li>they ask for the same thing: the estimated Jaccard similarity of the answers' content words
 *       (numbers normalised; {@link DedupSettings#ANSWER_MINHASH}) is at least {@link
 *       DedupSettings#ANSWER_THRESHOLD}, and the pairs name the same names and numbers (the set of
 *       numbers of question and answer and their capitalised words past each one's first word, stop
 *       words left out).</li>
 * </ol>
 *
 * <p>The "same thing" test is what keeps questions about different facts that share a sentence
 * frame: "What did the council decide about the bridge?" and "... about the market?" are
 * near-copies with different answers; "How many days after the decision in Vensilmir ...?" and
 * "... in Mirquinby ...?" may share an answer ("28") but not their names, nor do "the Silno
 * Transit Authority said ..." and "the Loni Transit Authority said ...". Both signatures ride in
 * the item's id (the bucket step sees only ids and question signatures), as a fixed-length suffix
 * that dead letters leave out.
 * The earliest QA pair (event time, then the document's Kafka record time, then request key, then
 * document id) is kept; a later near-copy becomes a dead letter naming the kept one. Kept pairs go back to their original windows with their
 * timestamps.
 */
public final class DeduplicateQuestions extends PTransform<PCollection<QaPair>, PCollectionTuple> {
  public static final String STAGE = "DeduplicateQuestions";
  public static final TupleTag<QaPair> KEPT = new TupleTag<>() {};
  public static final TupleTag<Failure> FAILURES = new TupleTag<>() {};

  /** How the dedup steps see a QA pair (see {@link QaKeys}). */
  public static final QaKeys KEYS = new QaKeys();

  /**
   * A QA pair's id is {@code requestKey@docId|<answer signature, hex>}; its tie-break is request
   * key, then document id; its compared text is the question and the answer.
   */
  public static final class QaKeys implements ItemKeys<QaPair> {
    private static final char SKETCH = '|';
    private static final int NAMES_CHARS = 16;
    private static final int SKETCH_CHARS = NAMES_CHARS
        + 2 * DedupSettings.ANSWER_MINHASH.permutations();
    private static final java.util.regex.Pattern RAW_WORD = java.util.regex.Pattern.compile(
        "[\\p{L}\\p{N}][\\p{L}\\p{N}.,']*");
    private transient MinHash answers;

    @Override
    public String id(QaPair qa) {
      return name(qa) + SKETCH + String.format(java.util.Locale.ROOT, "%016x",
          namesHash(qa.getQuestion(), qa.getAnswer())) + hex(MinHash.bbit(answers().signature(answerText(
          qa.getAnswer()))));
    }

    /**
     * The document's Kafka timestamp first: QA pairs reach this step at the end of their window
     * (the filler-pool join re-times documents to it), so within a window the record time is what
     * tells the original from a later copy; then request key and document id.
     */
    @Override
    public String orderKey(QaPair qa) {
      long recordTime = Math.max(0L, qa.getSource().getTimestamp());
      return String.format(java.util.Locale.ROOT, "%019d", recordTime) + '\u0000'
          + qa.getRequestKey() + '\u0000' + qa.getDocId();
    }

    @Override
    public String text(QaPair qa) {
      return qa.getQuestion() + "\n" + qa.getAnswer();
    }

    /**
     * Never duplicates: pairs of one request key (the one response the content-addressed cache
     * gives for the same text, asked in two documents that share a segment: each document keeps
     * its example, issue 11's collision rule), and pairs that ask for different things (answers
     * below the answer threshold, or different names or numbers).
     */
    @Override
    public boolean sameOrigin(String id, String otherId) {
      return requestKey(id).equals(requestKey(otherId)) || !sameNames(id, otherId)
          || answerSimilarity(id, otherId) < DedupSettings.ANSWER_THRESHOLD;
    }

    /** {@code requestKey@docId}: how dead letters name a QA pair. */
    public static String name(QaPair qa) {
      return qa.getRequestKey() + "@" + qa.getDocId();
    }

    /** The name part of an id (without the answer signature). */
    public static String name(String id) {
      int cut = id.length() - SKETCH_CHARS - 1;
      return cut >= 0 && id.charAt(cut) == SKETCH ? id.substring(0, cut) : id;
    }

    /** Estimated Jaccard similarity of the answers' content words of two ids; 0 without both. */
    public static double answerSimilarity(String id, String otherId) {
      byte[] a = sketch(id);
      byte[] b = sketch(otherId);
      return a == null || b == null ? 0 : MinHash.estimate(a, b);
    }

    /** Whether the QA pairs of two ids name the same names and numbers; false without both. */
    public static boolean sameNames(String id, String otherId) {
      int a = id.length() - SKETCH_CHARS;
      int b = otherId.length() - SKETCH_CHARS;
      return sketch(id) != null && sketch(otherId) != null
          && id.regionMatches(a, otherId, b, NAMES_CHARS);
    }

    /**
     * The names and numbers of a text: its numbers, and its words that start with a capital letter
     * past the first word, as canonical tokens ({@link Tokens#all}), stop words left out.
     */
    public static java.util.SortedSet<String> names(String question) {
      return names(question, true);
    }

    /**
     * The names and numbers of a QA pair: those of its question (past its first word) and of its
     * answer, first word included: an answer is usually a bare name ("Venta Flood Control Board"),
     * whose first word is the part that tells two answers in one sentence frame apart (a stop
     * word such as "The" is left out anyway).
     */
    public static java.util.SortedSet<String> names(String question, String answer) {
      java.util.SortedSet<String> out = names(question, true);
      out.addAll(names(answer, false));
      return out;
    }

    private static java.util.SortedSet<String> names(String text, boolean skipFirstWord) {
      java.util.SortedSet<String> out = new java.util.TreeSet<>();
      java.util.regex.Matcher m = RAW_WORD.matcher(text == null ? "" : text);
      boolean first = skipFirstWord;
      while (m.find()) {
        String w = m.group();
        if (Character.isDigit(w.codePointAt(0))
            || !first && Character.isUpperCase(w.codePointAt(0))) {
          out.addAll(Tokens.content(w));
        }
        first = false;
      }
      return out;
    }

    private static long namesHash(String question, String answer) {
      return com.google.common.hash.Hashing.murmur3_128(2).hashString(
          String.join(" ", names(question, answer)), java.nio.charset.StandardCharsets.UTF_8)
          .asLong();
    }

    /**
     * What the answer signature is taken over: the answer's content tokens (lower case, numbers
     * as numbers: "1,200" and "1200" agree; stop words dropped), or its words when it has none.
     */
    public static String answerText(String answer) {
      List<String> content = Tokens.content(answer == null ? "" : answer);
      return content.isEmpty() ? (answer == null ? "" : answer) : String.join(" ", content);
    }

    private static String requestKey(String id) {
      int at = id.indexOf('@');
      return at < 0 ? id : id.substring(0, at);
    }

    private static byte[] sketch(String id) {
      int cut = id.length() - SKETCH_CHARS - 1;
      if (cut < 0 || id.charAt(cut) != SKETCH) {
        return null;
      }
      byte[] out = new byte[(SKETCH_CHARS - NAMES_CHARS) / 2];
      int from = cut + 1 + NAMES_CHARS;
      for (int i = 0; i < out.length; i++) {
        out[i] = (byte) Integer.parseInt(id, from + 2 * i, from + 2 * i + 2, 16);
      }
      return out;
    }

    private static String hex(byte[] bytes) {
      StringBuilder sb = new StringBuilder(2 * bytes.length);
      for (byte b : bytes) {
        sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return sb.toString();
    }

    private MinHash answers() {
      if (answers == null) {
        answers = new MinHash(DedupSettings.ANSWER_MINHASH);
      }
      return answers;
    }
  }

  private final NearDuplicates.Settings settings;

  public DeduplicateQuestions(NearDuplicates.Settings settings) {
    this.settings = settings;
  }

  @Override
  public PCollectionTuple expand(PCollection<QaPair> qa) {
    WindowingStrategy<?, ?> original = qa.getWindowingStrategy();
    Coder<QaPair> coder = AvroCoder.specific(QaPair.class);
    NearDuplicates<QaPair> near = new NearDuplicates<>(KEYS, settings, coder);
    PCollectionTuple found = qa
        .apply("IntoHorizon", HorizonWindows.intoGlobal())
        .apply("NearDuplicateQuestions", near);
    PCollection<QaPair> kept = found.get(near.kept)
        .apply("BackToWindows", HorizonWindows.back(original));
    PCollection<Failure> failures = found.get(near.nearDuplicates)
        .apply("ToFailures", MapElements.into(TypeDescriptor.of(Failure.class))
            .via(DeduplicateQuestions::failure))
        .setCoder(AvroCoder.specific(Failure.class))
        .apply("FailuresBackToWindows", HorizonWindows.back(original));
    return PCollectionTuple.of(KEPT, kept).and(FAILURES, failures);
  }

  static Failure failure(KV<QaPair, Match> dup) {
    QaPair qa = dup.getKey();
    Match kept = dup.getValue();
    Metrics.counter(DeduplicateQuestions.class, "duplicate_questions").inc();
    String response = qa.getResponseKey() == null ? qa.getRequestKey() : qa.getResponseKey();
    return Failures.ofText(STAGE, Reason.DUPLICATE_QUESTION,
        String.format(java.util.Locale.ROOT, "QA %s (response %s) asks the question of QA %s "
            + "(requestKey@docId), the earliest such QA pair of the horizon, again: question and "
            + "answer estimated Jaccard %.2f, answers %.2f",
            QaKeys.name(qa), response, QaKeys.name(kept.id()), kept.jaccard(),
            QaKeys.answerSimilarity(KEYS.id(qa), kept.id()))
            + (qa.getRejectedResponses().isEmpty() ? ""
                : "; earlier attempts of the slot: " + String.join(", ",
                    qa.getRejectedResponses())),
        qa.getDocId(), qa.getSource(), qa.getQuestion());
  }
}
