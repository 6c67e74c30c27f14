package org.in2stream.pipeline.assemble;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.pipeline.util.Seeds;
import org.in2stream.pipeline.verify.EvidenceSpans;
import org.in2stream.pipeline.verify.LexicalChecks;
import org.in2stream.pipeline.verify.Quote;
import org.in2stream.pipeline.verify.Tokens;
import org.in2stream.schema.AnswerSegment;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.in2stream.schema.Source;

/**
 * Builds one long-context example from a QA pair and a filler pool, token-exact.
 *
 * <ol>
 *   <li>Draw the target length from the configured {@link LengthDistribution} with a generator keyed
 *       by the example id, and cap it so that the rendered prompt plus the answer reserve fits the
 *       maximum sequence length.
 *   <li>Walk the pool in a seeded random order and keep every segment of <i>another</i> document that
 *       still fits the budget (rejection sampling), so the shortfall ends below the smallest unused
 *       filler. A filler whose whitespace-normalised text equals, contains or is contained in a
 *       source segment is skipped, and so is a second filler of the same normalised text, so the
 *       answer text appears exactly once.
 *   <li>Place the source segments among the fillers ({@link Placement}): a uniform shuffle, or depth
 *       stratified ({@link StratifiedOrder}); join with a blank line and count the final text; while it
 *       is above target, or the prompt does not fit the sequence, drop the filler nearest the end.
 *   <li>Record each needed segment's character and token span and its depth.
 * </ol>
 *
 * SHORT_CONTEXT examples keep only the QA pair's own segments, in document order.
 *
 * <p>Counting. Where the tokenizer guarantees that no merge crosses a line break into a segment
 * ({@link TextTokenizer#additiveAfterLineBreak}: every tiktoken encoding, for a segment that does
 * not start with whitespace or '/'), the count of joined segments is the sum, over all but the last
 * segment, of what each takes with the separator in front of a following line ({@link
 * TextTokenizer#countBeforeLine}, once per segment, from its tail), plus the last segment's count;
 * a segment that does start so is encoded together with the one before it. The prompt's count is
 * the sum of the template's parts and the context's, as both shipped templates put line breaks
 * around the context. These sums are the exact counts, not estimates, so every decision is the one
 * that re-encoding would take. Of the final context only the blocks that hold the QA pair's needed
 * segments are encoded, for the token offsets of the answer and evidence spans; the counts place
 * them. If such a block's length is not its count (a segment whose {@code tokens} is not its count)
 * the example is made again by re-encoding. Fillers' recorded counts are trusted: they are exact
 * counts by the same tokenizer (see SegmentDocuments and BuildFillerPool), and the output checker
 * (ExampleChecks) re-encodes whole contexts. Other tokenizers (Hugging Face) re-encode, as before.
 */
public final class ContextAssembler {
  public static final String STAGE = "AssembleContexts";
  public static final String SEPARATOR = "\n\n";
  /** Tokens kept free between the estimated and the real prompt length. */
  private static final int SEQUENCE_SAFETY_TOKENS = 8;
  private static final int MAX_FILL_ROUNDS = 6;
  /** Examples made shorter than their sampled length because the pool ran out (see assemble). */
  private static final org.apache.beam.sdk.metrics.Counter SHORTENED =
      org.apache.beam.sdk.metrics.Metrics.counter(AssembleContexts.class, "targets_shortened");
  private static final int STRATIFIED_ATTEMPTS = 4;

  private final TextTokenizer tokenizer;
  private final AssembleContexts.Settings settings;
  private final TrainingTemplate template;
  private final long seed;
  private final int separatorTokens;
  /**
   * Whether this tokenizer and template let counts be summed: the tokenizer knows of lines that no
   * merge crosses into, and the template puts line breaks around the context.
   */
  private final boolean sums;
  /** The prompt's tokens before the context, once summing applies; -1 until first needed. */
  private int prefixTokens = -1;
  /** The normalised texts of the last pool assembled from (the examples of a window share it). */
  private volatile NormalisedPool normalised;

  /**
   * The whitespace-normalised text of each segment of one pool, computed on first use: every
   * example of a window checks the same candidates for repeated text. Safe to share between
   * threads: an entry is a deterministic immutable string, so a race writes the same value.
   */
  private record NormalisedPool(List<Segment> pool, String[] texts) {
    String get(int i) {
      String n = texts[i];
      if (n == null) {
        n = RepeatedText.normalise(pool.get(i).getText());
        texts[i] = n;
      }
      return n;
    }
  }

  private NormalisedPool normalisedOf(List<Segment> pool) {
    NormalisedPool n = normalised;
    if (n == null || n.pool() != pool) {
      n = new NormalisedPool(pool, new String[pool.size()]);
      normalised = n;
    }
    return n;
  }

  public ContextAssembler(TextTokenizer tokenizer, AssembleContexts.Settings settings) {
    this.tokenizer = tokenizer;
    this.settings = settings;
    this.template = settings.template();
    this.seed = settings.seed();
    this.separatorTokens = tokenizer.count(SEPARATOR);
    this.sums = sumsApply();
  }

  /** Exactly one of the two is set; {@code depthMisses} counts stratified segments off their bin. */
  public record Result(LongContextExample example, Failure failure, int depthMisses) {
    public Result(LongContextExample example, Failure failure) {
      this(example, failure, 0);
    }
  }

  /**
   * The stable id of the example made from {@code qa} as {@code kind}: a hash of the request key
   * (which is content-addressed, so two documents sharing a segment share it), the kind, the source
   * document's id, the Kafka record it was read from (topic, partition, offset: two fetches of one
   * page share the document id, never the record) and the QA slot. The slot is not a field of {@link QaPair}; it is identified by
   * what {@code SynthesizeQa.requestsFor} makes distinct within a document: the kind and the
   * offered segment indexes (one segment per fine-grained slot, each slot a different one; all
   * segments for the one multi-segment slot), plus the needed indexes.
   */
  public static String exampleId(QaPair qa, Kind kind) {
    List<Integer> offered = new ArrayList<>();
    for (Segment s : qa.getSegments()) {
      offered.add(s.getIndex());
    }
    java.util.Collections.sort(offered);
    List<Integer> needed = new ArrayList<>(qa.getNeededSegmentIndexes());
    java.util.Collections.sort(needed);
    Source from = qa.getSource();
    return Hashing.sha256Hex(qa.getRequestKey(), kind.name(), "doc=" + qa.getDocId(),
        "record=" + from.getTopic() + "/" + from.getPartition() + "@" + from.getOffset(),
        "offered=" + offered, "needed=" + needed).substring(0, 32);
  }

  /**
   * @param kind FINE_GRAINED or MULTI_SEGMENT for a long context, SHORT_CONTEXT for the QA pair's own
   *     text only
   * @param pool filler candidates in a deterministic order (the same on every replay)
   */
  public Result assemble(QaPair qa, Kind kind, List<Segment> pool) {
    return assemble(qa, kind, pool, null);
  }

  /**
   * The same, with the similarity index of {@code pool} shared by the examples of one pool ({@link
   * FillerIndex}); null builds one for this call when the filler hardness settings need it.
   */
  public Result assemble(QaPair qa, Kind kind, List<Segment> pool, FillerIndex index) {
    if (!sums) {
      return assemble(qa, kind, pool, index, null);
    }
    try {
      return assemble(qa, kind, pool, index, new LineCounts());
    } catch (SumMismatch e) {
      return assemble(qa, kind, pool, index, null);
    }
  }

  /**
   * What an example records of its fillers' hardness: its setting and each filler's similarity to
   * the evidence (by identity of the pool's segment objects).
   */
  private record Measure(String label, Map<Segment, Double> similarity) {}

  /** Assembles the example, counting by sums where exact if {@code counts} is set. */
  private Result assemble(QaPair qa, Kind kind, List<Segment> pool, FillerIndex index,
      LineCounts counts) {
    String id = exampleId(qa, kind);
    boolean unanswerable = kind == Kind.UNANSWERABLE;
    // An unanswerable context holds no segment of the QA pair's document: only fillers.
    List<Segment> own = unanswerable ? List.of() : qa.getSegments();
    String completion = template.completion(unanswerable ? template.abstention()
        : qa.getAnswer());
    int completionTokens = tokenizer.count(completion);
    int reserve = Math.max(settings.answerReserveTokens(), completionTokens);
    if (kind == Kind.SHORT_CONTEXT) {
      return finish(qa, kind, id, new ArrayList<>(own), List.of(), -1, Map.of(), reserve,
          completion, completionTokens, counts, null);
    }
    SplittableRandom rng = Seeds.rng(seed, "assemble", id);
    int sampled = settings.lengths().sample(rng);
    int overhead = tokenizer.count(template.render("", qa.getQuestion()));
    int sequenceBudget = settings.maxSequenceTokens() - reserve - overhead
        - SEQUENCE_SAFETY_TOKENS;
    int target = Math.min(sampled, sequenceBudget);

    int ownTokens = separatorTokens * (own.size() - 1);
    // Repeated text: a filler never equals, contains or sits inside one of the source's segments
    // (after whitespace normalisation), and no two fillers have the same normalised text.
    List<String> ownTexts = new ArrayList<>(own.size());
    Set<String> texts = new HashSet<>();
    for (Segment s : own) {
      ownTokens += s.getTokens();
      String n = RepeatedText.normalise(s.getText());
      ownTexts.add(n);
      texts.add(n);
    }
    if (unanswerable) {
      ownTokens = 0;
      for (Segment s : qa.getSegments()) { // the same rule against the document left out
        String n = RepeatedText.normalise(s.getText());
        ownTexts.add(n);
        texts.add(n);
      }
    }
    if (ownTokens > target) {
      return failure(qa, Reason.SOURCE_LONGER_THAN_TARGET, "source segments hold about "
          + ownTokens + " tokens, above the target of " + target + " (sampled " + sampled
          + ", at most " + sequenceBudget + " within --maxSequenceTokens)");
    }

    // Rounds of rejection sampling: the estimate (segment counts plus separators) is off by the
    // merges at piece boundaries, so each round takes the exact count (summed where the tokenizer
    // allows, see LineCounts) and fills what is left.
    int[] order = permutation(pool.size(), rng);
    // Filler hardness (beyond the paper): with similar fillers or confusers the order puts them
    // first; those settings and unanswerable examples also keep out every segment that contains
    // the answer or grounds it. The paper's random order is untouched.
    FillerHardness hardness = settings.hardness();
    boolean similar = hardness.similarFor(seed, id);
    boolean strict = similar || hardness.confuserShare() > 0 || unanswerable;
    AnswerFilter answerFilter = strict ? new AnswerFilter(qa.getAnswer()) : null;
    List<long[]> evidence = null;
    if (hardness.measures() || similar || hardness.confuserShare() > 0) {
      if (index == null || index.pool() != pool) {
        index = new FillerIndex(pool, seed);
      }
      evidence = evidenceSignatures(qa, index);
      if (similar || hardness.confuserShare() > 0) {
        order = hardOrder(qa, id, pool, order, index, evidence, similar,
            Math.max(0, target - ownTokens), answerFilter);
      }
    }
    NormalisedPool poolTexts = normalisedOf(pool);
    boolean[] used = new boolean[pool.size()];
    int answerHeld = 0; // candidates left out because they hold or ground the answer
    List<Segment> fillers = new ArrayList<>();
    List<Segment> draft = new ArrayList<>(own);
    int smallestCost = Integer.MAX_VALUE;
    int slack = target - ownTokens;
    boolean candidatesLeft = false;
    for (int round = 0; round < MAX_FILL_ROUNDS; round++) {
      int added = 0;
      candidatesLeft = false;
      for (int idx : order) {
        Segment s = pool.get(idx);
        if (used[idx] || s.getDocId().equals(qa.getDocId())) {
          continue;
        }
        int cost = s.getTokens() + separatorTokens;
        smallestCost = Math.min(smallestCost, cost);
        if (cost > slack) {
          candidatesLeft = true;
          continue;
        }
        used[idx] = true;
        String normalised = poolTexts.get(idx);
        if (answerFilter != null && !answerFilter.allows(normalised)) {
          answerHeld++;
          continue;
        }
        if (isNewText(normalised, ownTexts, texts)) {
          fillers.add(s);
          draft.add(s);
          slack -= cost;
          added++;
        }
      }
      if (added == 0) {
        break;
      }
      slack = target - contextTokens(draft, counts);
    }
    // Every unused candidate is too big, so the shortfall is below one filler; unless the pool ran
    // out while a segment of the smallest size would still have fit. Then the example gets the
    // longest context the pool fills, if that is still an allowed length (a young or quiet
    // stream's horizon); below --minContextTokens there is no example to make.
    if (!candidatesLeft && slack >= Math.min(smallestCost, settings.lengths().min())) {
      int reached = target - slack;
      if (reached < settings.lengths().min() || fillers.isEmpty()) {
        return failure(qa, Reason.INSUFFICIENT_FILLER, "the filler pool ran out: "
            + fillers.size() + " fillers of other documents reach about " + reached + " of "
            + target + " tokens, below --minContextTokens=" + settings.lengths().min()
            + heldOut(answerHeld));
      }
      SHORTENED.inc();
      target = reached;
    }
    // A long context holds text of other documents: when the source leaves less room than any
    // filler of the pool needs, there is no long-context example to make (not one without fillers).
    if (fillers.isEmpty()) {
      return failure(qa, Reason.INSUFFICIENT_FILLER, "no filler fits: the source segments take "
          + (target - slack) + " of the " + target + " target tokens and the smallest filler of "
          + "the pool needs " + (smallestCost == Integer.MAX_VALUE ? "more" : smallestCost)
          + heldOut(answerHeld));
    }

    Measure measure = null;
    if (hardness.measures()) {
      Map<Segment, Integer> at = new IdentityHashMap<>();
      for (int i = 0; i < pool.size(); i++) {
        at.put(pool.get(i), i);
      }
      Map<Segment, Double> similarity = new IdentityHashMap<>();
      for (Segment f : fillers) {
        similarity.put(f, index.similarity(at.get(f), evidence));
      }
      measure = new Measure(hardness.label(similar), similarity);
    }
    if (settings.placement() == Placement.SHUFFLE || unanswerable) {
      // The paper's placement: a uniform shuffle of all pieces.
      List<Segment> pieces = new ArrayList<>(fillers);
      pieces.addAll(own);
      shuffle(pieces, rng);
      return finish(qa, kind, id, pieces, fillers, target, Map.of(), reserve, completion,
          completionTokens, counts, measure);
    }
    Set<Integer> needed = new HashSet<>(qa.getNeededSegmentIndexes());
    StratifiedOrder stratified = new StratifiedOrder(own, needed, fillers, separatorTokens,
        Seeds.rng(seed, "depth-bin", id));
    Result best = null;
    for (int attempt = 0; attempt < STRATIFIED_ATTEMPTS; attempt++) {
      Result r = finish(qa, kind, id, stratified.next(), fillers, target, stratified.bins(),
          reserve, completion, completionTokens, counts, measure);
      if (r.example() == null || r.depthMisses() == 0) {
        return r;
      }
      if (best == null || r.depthMisses() < best.depthMisses()) {
        best = r;
      }
    }
    return best;
  }

  /** The failure message's note on candidates kept out by the answer rule, if any. */
  private static String heldOut(int answerHeld) {
    return answerHeld == 0 ? "" : "; " + answerHeld + " segments of other documents were left "
        + "out because they hold or ground the answer";
  }

  /** Signatures of the needed segments of {@code qa} (all its segments if none is marked). */
  private static List<long[]> evidenceSignatures(QaPair qa, FillerIndex index) {
    Set<Integer> needed = new HashSet<>(qa.getNeededSegmentIndexes());
    List<long[]> out = new ArrayList<>();
    for (Segment s : qa.getSegments()) {
      if (needed.isEmpty() || needed.contains(s.getIndex())) {
        out.add(index.signature(s.getText()));
      }
    }
    return out;
  }

  /**
   * The order the fillers are tried in: first confusers, up to {@code confuserShare} of {@code
   * room} tokens (segments that hold at least two of the question's key terms, or its only one, the
   * most first), then, for a similar example, every segment with a similarity above 0 to the
   * evidence, the most similar first, then the rest of {@code random} in its order. Ties are broken
   * by a hash of the segment id seeded by the global seed and the example id.
   */
  private int[] hardOrder(QaPair qa, String id, List<Segment> pool, int[] random,
      FillerIndex index, List<long[]> evidence, boolean similar, int room,
      AnswerFilter answerFilter) {
    long exampleKey = Hashing.sha256Long(Long.toString(seed), "filler-order", id);
    boolean[] placed = new boolean[pool.size()];
    int[] out = new int[pool.size()];
    int n = 0;
    double confuserShare = settings.hardness().confuserShare();
    if (confuserShare > 0) {
      long[] terms = FillerIndex.keyTerms(qa.getQuestion(), qa.getAnswer());
      int budget = (int) Math.round(confuserShare * room);
      int taken = 0;
      if (terms.length > 0) {
        for (int i : index.sharingTerms(terms, Math.min(2, terms.length), exampleKey)) {
          Segment s = pool.get(i);
          int cost = s.getTokens() + separatorTokens;
          if (taken >= budget) {
            break;
          }
          if (s.getDocId().equals(qa.getDocId()) || taken + cost > budget
              || !answerFilter.allows(normalisedOf(pool).get(i))) {
            continue;
          }
          placed[i] = true;
          out[n++] = i;
          taken += cost;
        }
      }
    }
    if (similar) {
      for (int i : index.mostSimilar(evidence, exampleKey)) {
        if (!placed[i]) {
          placed[i] = true;
          out[n++] = i;
        }
      }
    }
    for (int i : random) {
      if (!placed[i]) {
        out[n++] = i;
      }
    }
    return out;
  }

  /**
   * Keeps out of a context the segments that would answer its question: one whose normalised,
   * lower-cased text contains the answer's, or one that passes the verification chain's grounding
   * check for the answer ({@link LexicalChecks#grounding}: every content word and number of the
   * answer is a token of the text), as if it were the evidence.
   */
  static final class AnswerFilter {
    private final String answer;
    private final String needle;
    private final List<String> words;

    AnswerFilter(String answer) {
      this.answer = answer;
      this.needle = RepeatedText.normalise(answer).toLowerCase(java.util.Locale.ROOT);
      this.words = Tokens.content(answer);
    }

    /** True if the normalised filler text neither contains nor grounds the answer. */
    boolean allows(String normalisedText) {
      String lower = normalisedText.toLowerCase(java.util.Locale.ROOT);
      if (!needle.isEmpty() && lower.contains(needle)) {
        return false;
      }
      if (words.isEmpty()) {
        return true;
      }
      for (String w : words) { // cheap pre-check: a missing word cannot be grounded
        if (!Tokens.isNumber(w) && !lower.contains(w)) {
          return true;
        }
      }
      return !LexicalChecks.grounding(answer, List.of(new Quote(-1, normalisedText))).passed();
    }
  }

  /**
   * True (and {@code texts} takes it) if the normalised filler text {@code n} neither overlaps a
   * source segment ({@link RepeatedText#overlaps}) nor equals a filler already taken.
   */
  private static boolean isNewText(String n, List<String> ownTexts, Set<String> texts) {
    for (String o : ownTexts) {
      if (RepeatedText.overlaps(n, o)) {
        return false;
      }
    }
    return texts.add(n);
  }

  /** Fits the pieces to the target and the sequence, then renders the record. */
  private Result finish(QaPair qa, Kind kind, String id, List<Segment> pieces,
      List<Segment> fillers, int target, Map<Integer, Integer> bins, int reserve,
      String completion, int completionTokens, LineCounts counts, Measure measure) {
    Set<Segment> removable = new HashSet<>(fillers);
    boolean summed = counts != null;
    String context = join(pieces);
    // Re-encoding: one encoding per round gives count and offsets; summing: one encoding at the end.
    int[] starts = summed ? null : tokenizer.tokenCharStarts(context);
    int tokens = summed ? contextTokens(pieces, counts) : starts.length;
    int promptTokens = promptTokens(pieces, context, qa.getQuestion(), counts);
    // Merges across piece boundaries can push the exact counts above the estimates: drop the filler
    // nearest the end until the context is within target and the prompt fits the sequence.
    while ((target >= 0 && tokens > target)
        || promptTokens + reserve > settings.maxSequenceTokens()) {
      int last = lastRemovable(pieces, removable);
      if (last < 0) {
        if (summed && tokenizer.count(context) != tokens) {
          throw new SumMismatch(); // the message below must carry the real count
        }
        return failure(qa, Reason.SOURCE_LONGER_THAN_TARGET, "source text holds " + tokens
            + " tokens and its prompt " + promptTokens + "; the target is " + target
            + " and --maxSequenceTokens " + settings.maxSequenceTokens() + " with " + reserve
            + " tokens reserved for the answer");
      }
      removable.remove(pieces.remove(last));
      context = join(pieces);
      if (!summed) {
        starts = tokenizer.tokenCharStarts(context);
      }
      tokens = summed ? contextTokens(pieces, counts) : starts.length;
      promptTokens = promptTokens(pieces, context, qa.getQuestion(), counts);
    }
    String prompt = template.render(context, qa.getQuestion());

    Set<Integer> needed = new HashSet<>(qa.getNeededSegmentIndexes());
    Predicate<Segment> isNeeded = s -> needed.contains(s.getIndex())
        && s.getDocId().equals(qa.getDocId());
    List<EncodedBlock> offsets = summed ? encodeNeededBlocks(pieces, counts, isNeeded)
        : List.of(new EncodedBlock(0, context.length(), 0, starts));
    List<AnswerSegment> spans = new ArrayList<>();
    List<String> fillerDocIds = new ArrayList<>();
    List<String> fillerSegmentIds = new ArrayList<>();
    int misses = 0;
    int pos = 0;
    double similaritySum = 0;
    for (Segment s : pieces) {
      int end = pos + s.getText().length();
      boolean isOwn = s.getDocId().equals(qa.getDocId());
      if (isOwn && needed.contains(s.getIndex())) {
        EncodedBlock block = EncodedBlock.holding(offsets, pos);
        int tokenStart = block.tokenStart() + lastAtOrBefore(block.starts(), pos);
        int tokenEnd = block.tokenStart() + firstAtOrAfter(block.starts(), end);
        double depth = tokens == 0 ? 0.0 : (double) tokenStart / tokens;
        Integer bin = bins.get(s.getIndex());
        if (bin != null && StratifiedOrder.decile(depth) != bin) {
          misses++;
        }
        spans.add(AnswerSegment.newBuilder()
            .setDocId(s.getDocId())
            .setSegmentIndex(s.getIndex())
            .setCharStart(pos)
            .setCharEnd(end)
            .setTokenStart(tokenStart)
            .setTokenEnd(tokenEnd)
            .setDepth(depth)
            .setDepthBin(bin)
            .setEvidence(EvidenceSpans.of(qa, s.getIndex(), pos, block.starts(),
                block.tokenStart()))
            .build());
      } else if (!isOwn) {
        fillerDocIds.add(s.getDocId());
        fillerSegmentIds.add(s.getDocId() + "#" + s.getIndex());
        if (measure != null) {
          similaritySum += measure.similarity().get(s);
        }
      }
      pos = end + SEPARATOR.length();
    }
    boolean shortContext = kind == Kind.SHORT_CONTEXT;
    boolean unanswerable = kind == Kind.UNANSWERABLE;
    LongContextExample example = LongContextExample.newBuilder()
        .setId(id)
        .setKind(kind)
        .setContext(context)
        .setQuestion(qa.getQuestion())
        .setAnswer(unanswerable ? template.abstention() : qa.getAnswer())
        .setPrompt(prompt)
        .setCompletion(completion)
        .setTemplate(template.id())
        .setTokenizer(tokenizer.spec())
        .setTargetTokens(target >= 0 ? target : tokens)
        .setContextTokens(tokens)
        .setPromptTokens(promptTokens)
        .setAnswerSegments(spans)
        .setSourceDocId(qa.getDocId())
        .setFillerDocIds(fillerDocIds)
        .setFillerSegmentIds(fillerSegmentIds)
        .setSeed(seed)
        .setPromptVersion(qa.getPromptVersion())
        .setModel(qa.getModel())
        .setRequestKey(qa.getRequestKey())
        .setPipelineVersion(settings.pipelineVersion())
        .setSource(qa.getSource())
        .setAnswerCharOffset(template.answerCharOffset(prompt))
        .setCompletionTokens(completionTokens)
        .setPlacement(shortContext ? "none" : unanswerable ? Placement.SHUFFLE.id()
            : settings.placement().id())
        .setLengthDistribution(shortContext ? "own-text" : settings.lengths().toString())
        .setMaxSequenceTokens(settings.maxSequenceTokens())
        .setFillerHardness(measure == null ? null : measure.label())
        .setHardness(measure == null || fillerDocIds.isEmpty() ? null
            : similaritySum / fillerDocIds.size())
        .setWithheldAnswer(unanswerable ? qa.getAnswer() : null)
        .build();
    example = EvidenceSpans.withScores(qa, example);
    return new Result(example, null, misses);
  }

  /**
   * The token offsets of a context where a record needs them: the blocks ({@link #blockEnd}) that
   * hold a needed segment are encoded, each with the separator in front of the next block, and
   * placed at the sum of the counts before them. The other blocks are not encoded: their recorded
   * counts place the rest. An encoded block whose length is not its count means that a segment's
   * recorded count is off: the example is made again by re-encoding.
   */
  private List<EncodedBlock> encodeNeededBlocks(List<Segment> pieces, LineCounts counts,
      Predicate<Segment> isNeeded) {
    List<EncodedBlock> out = new ArrayList<>();
    int pos = 0;
    int tokenPos = 0;
    for (int from = 0, to; from < pieces.size(); from = to) {
      to = blockEnd(pieces, from);
      boolean last = to == pieces.size();
      List<Segment> block = pieces.subList(from, to);
      int count = counts.block(pieces, from, to, "", last ? null : SEPARATOR);
      int end = pos + (last ? 0 : SEPARATOR.length()) + (to - from - 1) * SEPARATOR.length();
      for (Segment s : block) {
        end += s.getText().length();
      }
      if (block.stream().anyMatch(isNeeded)) {
        String text = join(block);
        int[] starts = last ? tokenizer.tokenCharStarts(text)
            : tokenizer.tokenCharStartsBeforeLine(text, SEPARATOR);
        if (starts.length != count) {
          throw new SumMismatch();
        }
        for (int i = 0; i < starts.length; i++) {
          starts[i] += pos;
        }
        out.add(new EncodedBlock(pos, end, tokenPos, starts));
      }
      pos = end;
      tokenPos += count;
    }
    return out;
  }

  /**
   * Tokens of part of a context: {@code starts} are the context char indexes where its tokens
   * begin, the first of them being token {@code tokenStart} of the context; it spans the chars
   * {@code [charStart, charEnd)}.
   */
  private record EncodedBlock(int charStart, int charEnd, int tokenStart, int[] starts) {
    /** The block that holds char {@code pos} (or ends the context there). */
    static EncodedBlock holding(List<EncodedBlock> blocks, int pos) {
      for (EncodedBlock b : blocks) {
        if (b.charStart <= pos && pos < b.charEnd) {
          return b;
        }
      }
      throw new IllegalStateException("no encoded block holds char " + pos);
    }
  }

  /**
   * Tokens of {@code join(pieces)}: encoded without {@code counts}; with them, the sum over the
   * blocks of pieces that {@link #blockEnd} finds, each counted with the separator in front of the
   * next block, the last one alone.
   */
  private int contextTokens(List<Segment> pieces, LineCounts counts) {
    if (counts == null) {
      return tokenizer.count(join(pieces));
    }
    int sum = 0;
    for (int from = 0, to; from < pieces.size(); from = to) {
      to = blockEnd(pieces, from);
      sum += counts.block(pieces, from, to, "", to < pieces.size() ? SEPARATOR : null);
    }
    return sum;
  }

  /**
   * Tokens of {@code template.render(context, question)}, where {@code context == join(pieces)}.
   * With {@code counts}, where the template puts line breaks around the context and the suffix goes
   * on with a line that no merge crosses into: the prefix's tokens in front of the context (taken
   * into the first block if the context does not start additively), each block with the separator
   * or, for the last, the suffix's line breaks in front of what follows, and the rest of the suffix.
   * Else the prompt is encoded.
   */
  private int promptTokens(List<Segment> pieces, String context, String question,
      LineCounts counts) {
    String prefix = template.contextPrefix();
    String suffix = template.contextSuffix(question);
    int breaks = leadingLineBreaks(suffix);
    String rest = suffix.substring(breaks);
    if (counts == null || pieces.isEmpty() || !prefix.endsWith("\n") || breaks == 0
        || !tokenizer.additiveAfterLineBreak(rest)) {
      return tokenizer.count(template.render(context, question));
    }
    String lead = prefix;
    int sum = tokenizer.count(rest);
    if (tokenizer.additiveAfterLineBreak(pieces.get(0).getText())) {
      if (prefixTokens < 0) { // the same value from any thread
        String head = prefix.substring(0, prefix.length() - 1);
        prefixTokens = tokenizer.countBeforeLine(head, tokenizer.count(head), "\n");
      }
      sum += prefixTokens;
      lead = "";
    }
    for (int from = 0, to; from < pieces.size(); from = to) {
      to = blockEnd(pieces, from);
      sum += counts.block(pieces, from, to, lead, to < pieces.size() ? SEPARATOR
          : suffix.substring(0, breaks));
      lead = "";
    }
    return sum;
  }

  /** True if the template's prompts can be counted by {@link #promptTokens} as sums. */
  private boolean sumsApply() {
    String suffix = template.contextSuffix("");
    int breaks = leadingLineBreaks(suffix);
    return template.contextPrefix().endsWith("\n") && breaks > 0
        && tokenizer.additiveAfterLineBreak(suffix.substring(breaks));
  }

  private static int leadingLineBreaks(String s) {
    int n = 0;
    while (n < s.length() && s.charAt(n) == '\n') {
      n++;
    }
    return n;
  }

  /**
   * End of the block of pieces that starts at {@code from}: the next piece that starts a line no
   * merge crosses into begins the next block. Inside a block the pieces are encoded together.
   */
  private int blockEnd(List<Segment> pieces, int from) {
    int to = from + 1;
    while (to < pieces.size() && !tokenizer.additiveAfterLineBreak(pieces.get(to).getText())) {
      to++;
    }
    return to;
  }

  /**
   * Counts of the blocks of one example. A block of one segment (nearly all of them) takes the
   * segment's recorded count and, once per segment, what it takes with the separator in front of a
   * line; those are kept by identity (the pool holds each segment once, and Avro's equals would
   * compare whole texts). Longer blocks, and the first block when the prompt prefix joins it, are
   * encoded, once per example for each run of segments.
   */
  private final class LineCounts {
    private final Map<Segment, Integer> beforeLine = new IdentityHashMap<>();
    private final Map<Block, Integer> blocks = new HashMap<>();

    /**
     * Tokens of {@code lead + join(pieces[from..to))}, followed by {@code separator} in front of an
     * additive line, or alone if {@code separator} is null.
     */
    int block(List<Segment> pieces, int from, int to, String lead, String separator) {
      if (to - from == 1 && lead.isEmpty()) {
        Segment s = pieces.get(from);
        if (separator == null) {
          return s.getTokens();
        }
        if (!separator.equals(SEPARATOR)) {
          return tokenizer.countBeforeLine(s.getText(), s.getTokens(), separator);
        }
        Integer t = beforeLine.get(s);
        if (t == null) {
          t = tokenizer.countBeforeLine(s.getText(), s.getTokens(), SEPARATOR);
          beforeLine.put(s, t);
        }
        return t;
      }
      Block key = new Block(List.copyOf(pieces.subList(from, to)), lead, separator);
      Integer t = blocks.get(key);
      if (t == null) {
        String text = lead + join(key.pieces());
        int tokens = tokenizer.count(text);
        t = separator == null ? tokens : tokenizer.countBeforeLine(text, tokens, separator);
        blocks.put(key, t);
      }
      return t;
    }
  }

  /** A block of several pieces as a key: the same segment objects in the same order. */
  private record Block(List<Segment> pieces, String lead, String separator) {
    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Block b) || b.pieces.size() != pieces.size() || !b.lead.equals(lead)
          || !java.util.Objects.equals(b.separator, separator)) {
        return false;
      }
      for (int i = 0; i < pieces.size(); i++) {
        if (b.pieces.get(i) != pieces.get(i)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = java.util.Objects.hash(lead, separator);
      for (Segment s : pieces) {
        h = 31 * h + System.identityHashCode(s);
      }
      return h;
    }
  }

  /** The final context's encoding disagrees with the sums: some segment's count is off. */
  private static final class SumMismatch extends RuntimeException {
    SumMismatch() {
      super(null, null, false, false);
    }
  }

  /** Index in {@code pieces} of the last piece that is a removable filler, or -1. */
  private static int lastRemovable(List<Segment> pieces, Set<Segment> removable) {
    for (int i = pieces.size() - 1; i >= 0; i--) {
      if (removable.contains(pieces.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static String join(List<Segment> pieces) {
    StringBuilder sb = new StringBuilder();
    for (Segment s : pieces) {
      if (sb.length() > 0) {
        sb.append(SEPARATOR);
      }
      sb.append(s.getText());
    }
    return sb.toString();
  }

  /** Index of the last token that starts at or before {@code charIndex}. */
  static int lastAtOrBefore(int[] starts, int charIndex) {
    int i = Arrays.binarySearch(starts, charIndex);
    if (i >= 0) {
      while (i > 0 && starts[i - 1] == charIndex) {
        i--; // first of equal starts: tokens that share a start share a character
      }
      return i;
    }
    return Math.max(0, -i - 2);
  }

  /** Index of the first token that starts at or after {@code charIndex} (or the token count). */
  static int firstAtOrAfter(int[] starts, int charIndex) {
    int i = Arrays.binarySearch(starts, charIndex);
    if (i >= 0) {
      while (i > 0 && starts[i - 1] == charIndex) {
        i--;
      }
      return i;
    }
    return -i - 1;
  }

  private Result failure(QaPair qa, Reason reason, String message) {
    return new Result(null, Failures.ofText(STAGE, reason, message, qa.getDocId(), qa.getSource(),
        qa.getQuestion()));
  }

  private static int[] permutation(int n, SplittableRandom rng) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  static <T> void shuffle(List<T> items, SplittableRandom rng) {
    for (int i = items.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T t = items.get(i);
      items.set(i, items.get(j));
      items.set(j, t);
    }
  }
}
