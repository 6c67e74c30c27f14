package org.in2stream.pipeline.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.schema.AnswerSegment;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;

/**
 * The invariants every output example must satisfy, checked on the record itself. Used by the tests,
 * by the integration test on every record, and by the demo's summary on every file it reads.
 */
public final class ExampleChecks {
  private ExampleChecks() {}

  /** Violations of {@code e}; empty when the record is sound. */
  public static List<String> violations(LongContextExample e, TextTokenizer tokenizer) {
    List<String> v = new ArrayList<>();
    String context = e.getContext();
    int[] starts = tokenizer.tokenCharStarts(context); // its length is the token count
    int counted = starts.length;
    if (!tokenizer.spec().equals(e.getTokenizer())) {
      v.add("tokenizer " + e.getTokenizer() + " but checked with " + tokenizer.spec());
    }
    if (counted != e.getContextTokens()) {
      v.add("contextTokens " + e.getContextTokens() + " but the context counts " + counted);
    }
    if (e.getContextTokens() > e.getTargetTokens()) {
      v.add("contextTokens " + e.getContextTokens() + " above targetTokens " + e.getTargetTokens());
    }
    int promptCounted = tokenizer.count(e.getPrompt());
    if (promptCounted != e.getPromptTokens()) {
      v.add("promptTokens " + e.getPromptTokens() + " but the prompt counts " + promptCounted);
    }
    if (!e.getPrompt().contains(context) || !e.getPrompt().contains(e.getQuestion())) {
      v.add("prompt does not contain the context and the question");
    }
    String sequence = e.getPrompt() + e.getCompletion();
    int offset = e.getAnswerCharOffset();
    if (offset < e.getPrompt().length() || !sequence.startsWith(e.getAnswer(), offset)) {
      v.add("answerCharOffset " + offset + " does not point at the answer in prompt + completion");
    }
    if (e.getCompletionTokens() != tokenizer.count(e.getCompletion())) {
      v.add("completionTokens " + e.getCompletionTokens() + " but the completion counts "
          + tokenizer.count(e.getCompletion()));
    }
    if (e.getMaxSequenceTokens() > 0
        && e.getPromptTokens() + e.getCompletionTokens() > e.getMaxSequenceTokens()) {
      v.add("prompt + completion hold " + (e.getPromptTokens() + e.getCompletionTokens())
          + " tokens, above maxSequenceTokens " + e.getMaxSequenceTokens());
    }
    for (AnswerSegment a : e.getAnswerSegments()) {
      if (a.getCharStart() < 0 || a.getCharEnd() > context.length()
          || a.getCharStart() >= a.getCharEnd()) {
        v.add("answer segment " + a.getSegmentIndex() + " has an invalid char span");
        continue;
      }
      String text = context.substring(a.getCharStart(), a.getCharEnd());
      if (context.indexOf(text) != context.lastIndexOf(text)) {
        v.add("answer segment " + a.getSegmentIndex() + " appears more than once in the context");
      }
      boolean tokenSpanOk = a.getTokenStart() >= 0 && a.getTokenStart() < a.getTokenEnd()
          && a.getTokenEnd() <= starts.length && starts[a.getTokenStart()] <= a.getCharStart()
          && (a.getTokenEnd() == starts.length || starts[a.getTokenEnd()] >= a.getCharEnd());
      if (!tokenSpanOk) {
        v.add("answer segment " + a.getSegmentIndex() + " has a token span that does not cover "
            + "its characters");
      }
      double depth = e.getContextTokens() == 0 ? 0 : (double) a.getTokenStart()
          / e.getContextTokens();
      if (Math.abs(depth - a.getDepth()) > 1e-9) {
        v.add("answer segment " + a.getSegmentIndex() + " depth " + a.getDepth() + " != "
            + depth);
      }
      if (!a.getDocId().equals(e.getSourceDocId())) {
        v.add("answer segment from " + a.getDocId() + ", not the source document");
      }
    }
    if (e.getFillerDocIds().contains(e.getSourceDocId())) {
      v.add("a filler comes from the source document " + e.getSourceDocId());
    }
    Set<String> fillerSegments = new HashSet<>(e.getFillerSegmentIds());
    if (fillerSegments.size() != e.getFillerSegmentIds().size()) {
      v.add("a filler segment is repeated");
    }
    int needed = e.getAnswerSegments().size();
    if (e.getKind() == Kind.FINE_GRAINED && needed != 1) {
      v.add("FINE_GRAINED with " + needed + " answer segments");
    }
    if (e.getKind() == Kind.MULTI_SEGMENT && needed < 2) {
      v.add("MULTI_SEGMENT with " + needed + " answer segments");
    }
    Set<Integer> neededIndexes = new HashSet<>();
    e.getAnswerSegments().forEach(a -> neededIndexes.add(a.getSegmentIndex()));
    if (neededIndexes.size() != needed) {
      v.add("an answer segment is listed twice");
    }
    if (e.getKind() == Kind.SHORT_CONTEXT && !e.getFillerDocIds().isEmpty()) {
      v.add("SHORT_CONTEXT with fillers");
    }
    if (e.getKind() != Kind.SHORT_CONTEXT && e.getFillerDocIds().isEmpty()) {
      v.add(e.getKind() + " without fillers");
    }
    if (e.getKind() == Kind.UNANSWERABLE) {
      unanswerable(e, v);
    } else if (e.getWithheldAnswer() != null) {
      v.add(e.getKind() + " with a withheld answer");
    }
    if (e.getHardness() != null && !(e.getHardness() >= 0 && e.getHardness() <= 1)) {
      v.add("hardness " + e.getHardness() + " outside [0, 1]");
    }
    return v;
  }

  /**
   * The opposite of the answer-segment invariants: an UNANSWERABLE example holds no answer segment
   * and no segment of its source document, its context does not contain its withheld answer (after
   * whitespace normalisation, ignoring case), and its answer is not the withheld one (it is the
   * template's abstention).
   */
  private static void unanswerable(LongContextExample e, List<String> v) {
    if (!e.getAnswerSegments().isEmpty()) {
      v.add("UNANSWERABLE with " + e.getAnswerSegments().size() + " answer segments");
    }
    String withheld = e.getWithheldAnswer();
    if (withheld == null || withheld.isBlank()) {
      v.add("UNANSWERABLE without its withheld answer");
    } else if (normalise(e.getContext()).contains(normalise(withheld))) {
      v.add("UNANSWERABLE context contains the withheld answer");
    }
    for (String id : e.getFillerSegmentIds()) {
      if (id.startsWith(e.getSourceDocId() + "#")) {
        v.add("UNANSWERABLE context holds segment " + id + " of its source document");
      }
    }
    if (withheld != null && withheld.equals(e.getAnswer())) {
      v.add("UNANSWERABLE answer is the withheld answer, not an abstention");
    }
  }

  /** Whitespace runs to one space, trimmed, lower case (as the assembler's repeated-text rule). */
  private static String normalise(String text) {
    return text.replaceAll("\\s+", " ").trim().toLowerCase(Locale.ROOT);
  }
}
