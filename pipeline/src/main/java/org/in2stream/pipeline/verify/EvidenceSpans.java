package org.in2stream.pipeline.verify;

import java.util.ArrayList;
import java.util.List;
import org.in2stream.schema.EvidenceQuote;
import org.in2stream.schema.EvidenceSpan;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;

/**
 * Moves a QA pair's evidence quotes (char offsets within their segment) into the coordinates of an
 * assembled context: the caller gives the char position where the segment starts in the context and
 * the char start of every context token.
 */
public final class EvidenceSpans {
  private EvidenceSpans() {}

  /** The spans of the pair's quotes from segment {@code segmentIndex}, in context coordinates. */
  public static List<EvidenceSpan> of(QaPair qa, int segmentIndex, int segmentCharStart,
      int[] tokenCharStarts) {
    return of(qa, segmentIndex, segmentCharStart, tokenCharStarts, 0);
  }

  /**
   * The same where {@code tokenCharStarts} are those of part of the context only (still in context
   * char coordinates) whose first token is token {@code firstToken} of the context; the quotes lie
   * within that part.
   */
  public static List<EvidenceSpan> of(QaPair qa, int segmentIndex, int segmentCharStart,
      int[] tokenCharStarts, int firstToken) {
    List<EvidenceSpan> out = new ArrayList<>();
    if (qa.getEvidence() == null) {
      return out;
    }
    for (EvidenceQuote q : qa.getEvidence()) {
      if (q.getSegmentIndex() != segmentIndex) {
        continue;
      }
      int start = segmentCharStart + q.getCharStart();
      int end = segmentCharStart + q.getCharEnd();
      out.add(EvidenceSpan.newBuilder()
          .setCharStart(start)
          .setCharEnd(end)
          .setTokenStart(firstToken + lastAtOrBefore(tokenCharStarts, start))
          .setTokenEnd(firstToken + firstAtOrAfter(tokenCharStarts, end))
          .build());
    }
    return out;
  }

  /** The example with the QA pair's response key, verification level and scores copied onto it. */
  public static LongContextExample withScores(QaPair qa, LongContextExample example) {
    return LongContextExample.newBuilder(example)
        .setVerifyLevel(qa.getVerifyLevel())
        .setGroundingScore(qa.getGroundingScore())
        .setNecessityScore(qa.getNecessityScore())
        .setQuestionOverlap(qa.getQuestionOverlap())
        .setClosedBookScore(qa.getClosedBookScore())
        .setAblationScore(qa.getAblationScore())
        .setResponseKey(qa.getResponseKey())
        .setRejectedResponses(qa.getRejectedResponses())
        .build();
  }

  /** Index of the last token starting at or before {@code pos} (0 when none). */
  static int lastAtOrBefore(int[] starts, int pos) {
    int lo = 0;
    int hi = starts.length - 1;
    int best = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (starts[mid] <= pos) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return best;
  }

  /** Index of the first token starting at or after {@code pos} (the token count when none). */
  static int firstAtOrAfter(int[] starts, int pos) {
    int lo = 0;
    int hi = starts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (starts[mid] < pos) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
