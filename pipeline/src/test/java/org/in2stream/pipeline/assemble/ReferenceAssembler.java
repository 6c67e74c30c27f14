package org.in2stream.pipeline.assemble;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.util.Seeds;
import org.in2stream.schema.AnswerSegment;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;

/**
 * {@link ContextAssembler} as it was before it learned to sum counts: every fill round, every
 * truncation step and every prompt re-encoded. Kept verbatim (only renamed, with the public names it
 * shared moved to the real class) as the reference for {@link ContextAssemblerEquivalenceTest}; do
 * not "improve" it.
 */
final class ReferenceAssembler {
  private static final String STAGE = ContextAssembler.STAGE;
  private static final String SEPARATOR = ContextAssembler.SEPARATOR;
  /** Tokens kept free between the estimated and the real prompt length. */
  private static final int SEQUENCE_SAFETY_TOKENS = 8;
  private static final int MAX_FILL_ROUNDS = 6;
  private static final int STRATIFIED_ATTEMPTS = 4;

  private final TextTokenizer tokenizer;
  private final AssembleContexts.Settings settings;
  private final TrainingTemplate template;
  private final long seed;
  private final int separatorTokens;

  ReferenceAssembler(TextTokenizer tokenizer, AssembleContexts.Settings settings) {
    this.tokenizer = tokenizer;
    this.settings = settings;
    this.template = settings.template();
    this.seed = settings.seed();
    this.separatorTokens = tokenizer.count(SEPARATOR);
  }

  private record Result(LongContextExample example, Failure failure, int depthMisses) {
    Result(LongContextExample example, Failure failure) {
      this(example, failure, 0);
    }
  }

  /** The same result as the real class's type, to compare with equals. */
  ContextAssembler.Result run(QaPair qa, Kind kind, List<Segment> pool) {
    Result r = assemble(qa, kind, pool);
    return new ContextAssembler.Result(r.example(), r.failure(), r.depthMisses());
  }

  private static String exampleId(QaPair qa, Kind kind) {
    return ContextAssembler.exampleId(qa, kind);
  }

  /**
   * @param kind FINE_GRAINED or MULTI_SEGMENT for a long context, SHORT_CONTEXT for the QA pair's own
   *     text only
   * @param pool filler candidates in a deterministic order (the same on every replay)
   */
  private Result assemble(QaPair qa, Kind kind, List<Segment> pool) {
    String id = exampleId(qa, kind);
    List<Segment> own = qa.getSegments();
    String completion = template.completion(qa.getAnswer());
    int completionTokens = tokenizer.count(completion);
    int reserve = Math.max(settings.answerReserveTokens(), completionTokens);
    if (kind == Kind.SHORT_CONTEXT) {
      return finish(qa, kind, id, new ArrayList<>(own), List.of(), -1, Map.of(), reserve,
          completion, completionTokens);
    }
    SplittableRandom rng = Seeds.rng(seed, "assemble", id);
    int sampled = settings.lengths().sample(rng);
    int overhead = tokenizer.count(template.render("", qa.getQuestion()));
    int sequenceBudget = settings.maxSequenceTokens() - reserve - overhead
        - SEQUENCE_SAFETY_TOKENS;
    int target = Math.min(sampled, sequenceBudget);

    int ownTokens = separatorTokens * (own.size() - 1);
    Set<String> texts = new HashSet<>();
    for (Segment s : own) {
      ownTokens += s.getTokens();
      texts.add(s.getText());
    }
    if (ownTokens > target) {
      return failure(qa, Reason.SOURCE_LONGER_THAN_TARGET, "source segments hold about "
          + ownTokens + " tokens, above the target of " + target + " (sampled " + sampled
          + ", at most " + sequenceBudget + " within --maxSequenceTokens)");
    }

    // Rounds of rejection sampling: the estimate (segment counts plus separators) is off by the
    // merges at piece boundaries, so each round measures the real count and fills what is left.
    int[] order = permutation(pool.size(), rng);
    boolean[] used = new boolean[pool.size()];
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
        if (texts.add(s.getText())) {
          fillers.add(s);
          draft.add(s);
          slack -= cost;
          added++;
        }
      }
      if (added == 0) {
        break;
      }
      slack = target - tokenizer.count(join(draft));
    }
    // Every unused candidate is too big, so the shortfall is below one filler; unless the pool ran
    // out while a segment of the smallest size would still have fit.
    if (!candidatesLeft && slack >= Math.min(smallestCost, settings.lengths().min())) {
      int reached = target - slack;
      if (reached < settings.lengths().min() || fillers.isEmpty()) {
        return failure(qa, Reason.INSUFFICIENT_FILLER, "the filler pool ran out: "
            + fillers.size() + " fillers of other documents reach about " + reached + " of "
            + target + " tokens, below --minContextTokens=" + settings.lengths().min());
      }
      target = reached; // the longest context the pool fills
    }

    if (settings.placement() == Placement.SHUFFLE) {
      // The paper's placement: a uniform shuffle of all pieces.
      List<Segment> pieces = new ArrayList<>(fillers);
      pieces.addAll(own);
      shuffle(pieces, rng);
      return finish(qa, kind, id, pieces, fillers, target, Map.of(), reserve, completion,
          completionTokens);
    }
    Set<Integer> needed = new HashSet<>(qa.getNeededSegmentIndexes());
    StratifiedOrder stratified = new StratifiedOrder(own, needed, fillers, separatorTokens,
        Seeds.rng(seed, "depth-bin", id));
    Result best = null;
    for (int attempt = 0; attempt < STRATIFIED_ATTEMPTS; attempt++) {
      Result r = finish(qa, kind, id, stratified.next(), fillers, target, stratified.bins(),
          reserve, completion, completionTokens);
      if (r.example() == null || r.depthMisses() == 0) {
        return r;
      }
      if (best == null || r.depthMisses() < best.depthMisses()) {
        best = r;
      }
    }
    return best;
  }

  /** Fits the pieces to the target and the sequence, then renders the record. */
  private Result finish(QaPair qa, Kind kind, String id, List<Segment> pieces,
      List<Segment> fillers, int target, Map<Integer, Integer> bins, int reserve,
      String completion, int completionTokens) {
    Set<Segment> removable = new HashSet<>(fillers);
    String context = join(pieces);
    int[] starts = tokenizer.tokenCharStarts(context); // one encoding gives count and offsets
    int tokens = starts.length;
    String prompt = template.render(context, qa.getQuestion());
    int promptTokens = tokenizer.count(prompt);
    // Merges across piece boundaries can push the exact counts above the estimates: drop the filler
    // nearest the end until the context is within target and the prompt fits the sequence.
    while ((target >= 0 && tokens > target)
        || promptTokens + reserve > settings.maxSequenceTokens()) {
      int last = lastRemovable(pieces, removable);
      if (last < 0) {
        return failure(qa, Reason.SOURCE_LONGER_THAN_TARGET, "source text holds " + tokens
            + " tokens and its prompt " + promptTokens + "; the target is " + target
            + " and --maxSequenceTokens " + settings.maxSequenceTokens() + " with " + reserve
            + " tokens reserved for the answer");
      }
      removable.remove(pieces.remove(last));
      context = join(pieces);
      starts = tokenizer.tokenCharStarts(context);
      tokens = starts.length;
      prompt = template.render(context, qa.getQuestion());
      promptTokens = tokenizer.count(prompt);
    }

    Set<Integer> needed = new HashSet<>(qa.getNeededSegmentIndexes());
    List<AnswerSegment> spans = new ArrayList<>();
    List<String> fillerDocIds = new ArrayList<>();
    List<String> fillerSegmentIds = new ArrayList<>();
    int misses = 0;
    int pos = 0;
    for (Segment s : pieces) {
      int end = pos + s.getText().length();
      boolean isOwn = s.getDocId().equals(qa.getDocId());
      if (isOwn && needed.contains(s.getIndex())) {
        int tokenStart = lastAtOrBefore(starts, pos);
        int tokenEnd = firstAtOrAfter(starts, end);
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
            .build());
      } else if (!isOwn) {
        fillerDocIds.add(s.getDocId());
        fillerSegmentIds.add(s.getDocId() + "#" + s.getIndex());
      }
      pos = end + SEPARATOR.length();
    }
    boolean shortContext = kind == Kind.SHORT_CONTEXT;
    LongContextExample example = LongContextExample.newBuilder()
        .setId(id)
        .setKind(kind)
        .setContext(context)
        .setQuestion(qa.getQuestion())
        .setAnswer(qa.getAnswer())
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
        .setPlacement(shortContext ? "none" : settings.placement().id())
        .setLengthDistribution(shortContext ? "own-text" : settings.lengths().toString())
        .setMaxSequenceTokens(settings.maxSequenceTokens())
        .build();
    return new Result(example, null, misses);
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
