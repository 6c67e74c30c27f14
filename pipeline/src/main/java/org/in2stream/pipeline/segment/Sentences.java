package org.in2stream.pipeline.segment;

import com.ibm.icu.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;

/**
 * The sentences of a text, cut by the same ICU4J sentence iterator (with its extra abbreviations)
 * that {@link Segmenter} uses to cut long paragraphs; each sentence stripped, empty ones dropped.
 */
public final class Sentences {
  private Sentences() {}

  public static List<String> of(String text) {
    BreakIterator it = Segmenter.sentenceIterator();
    it.setText(text);
    List<String> out = new ArrayList<>();
    int start = it.first();
    for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      String s = text.substring(start, end).strip();
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  /** The character offsets where a sentence of {@code text} ends, ascending, without 0. */
  public static List<Integer> ends(String text) {
    BreakIterator it = Segmenter.sentenceIterator();
    it.setText(text);
    List<Integer> out = new ArrayList<>();
    it.first();
    for (int end = it.next(); end != BreakIterator.DONE; end = it.next()) {
      out.add(end);
    }
    return out;
  }
}
