package org.in2stream.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.in2stream.pipeline.assemble.DropBoilerplate;
import org.in2stream.pipeline.assemble.RepeatedText;
import org.in2stream.pipeline.check.ExampleChecks;
import org.in2stream.pipeline.synth.OfflineQaGenerator;
import org.in2stream.schema.AnswerSegment;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.RawRecord;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A corpus built to share sections across documents, as crawled pages share footers and navigation:
 * every paragraph is long enough to be a segment of its own. FOOTER is in seven documents, NAV in
 * three (with other whitespace in one of them): both are boilerplate (the default threshold is
 * three documents) and are never asked about nor used as fillers; a document that is only FOOTER
 * is a BOILERPLATE_ONLY dead letter. SHARED is in two documents (not boilerplate) and is asked about
 * in both: the two examples get different ids, and neither context holds the other document's copy
 * of it, nor a third document's paragraph that contains it. No context holds an answer segment's
 * text twice.
 */
@ExtendWith(TestPipelineExtension.class)
class SharedBoilerplateTest {
  private static final String FOOTER = paragraph(77);
  private static final String NAV = paragraph(78);
  private static final String SHARED = paragraph(79);

  private static String paragraph(long seed) {
    return TestTexts.paragraph(new SplittableRandom(seed), 7);
  }

  private static String doc(long seed, String... shared) {
    List<String> p = new ArrayList<>();
    p.add(paragraph(seed));
    p.addAll(List.of(shared));
    p.add(paragraph(seed + 5_000));
    return String.join("\n", p);
  }

  /** The corpus: document id to text. */
  static Map<String, String> corpus() {
    Map<String, String> docs = new TreeMap<>();
    for (int i = 0; i < 6; i++) {
      String nav = i == 2 ? NAV.replace(" ", "  ") + " " : NAV; // other whitespace, same text
      docs.put("doc-" + i, i < 3 ? doc(100 + i, nav, FOOTER) : doc(100 + i, FOOTER));
    }
    docs.put("doc-6", doc(106, SHARED));
    docs.put("doc-7", doc(107, SHARED));
    docs.put("doc-8", doc(108, SHARED + " " + paragraph(80).split("\\. ")[0] + "."));
    for (int i = 10; i < 20; i++) {
      docs.put("doc-" + i, doc(100 + i, paragraph(200 + i)));
    }
    docs.put("doc-20", FOOTER);
    return docs;
  }

  private static String normalised(String text) {
    return RepeatedText.normalise(text);
  }

  private static int occurrences(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void boilerplateIsNeitherAskedAboutNorAFillerAndNoAnswerTextRepeats(TestPipeline pipeline) {
    List<RawRecord> input = new ArrayList<>();
    long offset = 0;
    for (Map.Entry<String, String> d : corpus().entrySet()) {
      input.add(In2PipelineTest.raw(offset++, In2PipelineTest.utf8("{\"id\":\"" + d.getKey()
          + "\",\"text\":\"" + d.getValue().replace("\n", "\\n") + "\"}")));
    }
    In2Pipeline.Outputs out = In2Pipeline.build(pipeline,
        TestConfigs.fromArgs("--minContextTokens=2048", "--maxContextTokens=4096",
            "--mixture=1:0:0", "--questionsPerDocument=4"),
        In2PipelineTest.timestamped(input), OfflineQaGenerator.factory(42));

    String footer = normalised(FOOTER);
    String nav = normalised(NAV);
    String shared = normalised(SHARED);
    PAssert.that(out.failures()).satisfies(failures -> {
      Map<String, String> byDoc = new TreeMap<>();
      for (Failure f : failures) {
        byDoc.put(f.getDocId(), f.getStage() + ":" + f.getReason());
      }
      assertEquals(Map.of("doc-20", "DropBoilerplate:BOILERPLATE_ONLY"), byDoc);
      return null;
    });
    PAssert.that(out.qaPairs()).satisfies(pairs -> {
      int n = 0;
      for (QaPair qa : pairs) {
        n++;
        for (Segment s : qa.getSegments()) {
          String t = normalised(s.getText());
          assertFalse(t.equals(footer) || t.equals(nav), "asked about boilerplate: " + qa);
        }
      }
      assertTrue(n >= 19 * 2, "questions about the other segments: " + n);
      return null;
    });
    PAssert.that(out.examples()).satisfies(examples -> {
      Map<String, LongContextExample> aboutShared = new TreeMap<>();
      for (LongContextExample e : examples) {
        assertEquals(List.of(), ExampleChecks.violations(e, TestTexts.tokenizer()), e.getId());
        String context = normalised(e.getContext());
        assertEquals(0, occurrences(context, footer), "footer in " + e.getId());
        assertEquals(0, occurrences(context, nav), "navigation in " + e.getId());
        for (AnswerSegment a : e.getAnswerSegments()) {
          String answer = normalised(e.getContext().substring(a.getCharStart(), a.getCharEnd()));
          assertEquals(1, occurrences(context, answer),
              "the answer segment once in " + e.getId());
          if (answer.equals(shared)) {
            aboutShared.put(e.getSourceDocId(), e);
          }
        }
      }
      assertEquals(List.of("doc-6", "doc-7"), List.copyOf(aboutShared.keySet()),
          "the shared paragraph is asked about in both documents that hold it alone");
      LongContextExample six = aboutShared.get("doc-6");
      LongContextExample seven = aboutShared.get("doc-7");
      assertEquals(six.getRequestKey(), seven.getRequestKey(), "the same request (same text)");
      assertNotEquals(six.getId(), seven.getId(), "but two examples with their own ids");
      return null;
    });
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    // FOOTER in doc-0..doc-5 and doc-20, NAV in doc-0..doc-2.
    assertEquals(10, counter(result, "segments_removed"));
    // The characters of the removed segments as segmented (the variant of NAV may have lost its
    // doubled spaces or trailing blank on the way): between the normalised and the raw lengths.
    long removed = counter(result, "characters_removed");
    long least = 7L * FOOTER.length() + 3L * NAV.length();
    assertTrue(removed >= least && removed <= least + NAV.length() + 1, "removed " + removed);
    assertEquals(1, counter(result, "documents_boilerplate_only"));
  }

  /** A site footer line, too short to be a segment: the segmenter merges it into the last one. */
  private static final String FOOTER_LINE =
      "Copyright 2026 Example News. All rights reserved. Read our privacy policy.";
  /** A line in two documents only: not boilerplate. */
  private static final String TWICE_LINE = "Corrections and tips go to the newsroom desk.";

  @Test
  void aBoilerplateLineMergedIntoALongerSegmentIsCutOutOfQuestionsAndFillers(
      TestPipeline pipeline) {
    List<RawRecord> input = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String text = paragraph(300 + i) + "\n" + paragraph(400 + i);
      if (i < 5) {
        text += "\n" + FOOTER_LINE;
      } else if (i < 7) {
        text += "\n" + TWICE_LINE;
      }
      input.add(In2PipelineTest.raw(i, In2PipelineTest.utf8("{\"id\":\"page-" + i
          + "\",\"text\":\"" + text.replace("\n", "\\n") + "\"}")));
    }
    In2Pipeline.Outputs out = In2Pipeline.build(pipeline,
        TestConfigs.fromArgs("--minContextTokens=1024", "--maxContextTokens=2048",
            "--mixture=1:0:0", "--questionsPerDocument=4"),
        In2PipelineTest.timestamped(input), OfflineQaGenerator.factory(42));
    PAssert.that(out.failures()).empty();
    PAssert.that(out.qaPairs()).satisfies(pairs -> {
      boolean twiceAsked = false;
      for (QaPair qa : pairs) {
        for (Segment s : qa.getSegments()) {
          assertFalse(s.getText().contains(FOOTER_LINE), "a question about the footer: " + qa);
          assertEquals(TestTexts.tokenizer().count(s.getText()), s.getTokens(),
              "tokens of " + s.getDocId() + "#" + s.getIndex());
          twiceAsked |= s.getText().contains(TWICE_LINE);
        }
      }
      assertTrue(twiceAsked, "a line in two documents only stays in its segment");
      return null;
    });
    PAssert.that(out.examples()).satisfies(examples -> {
      int n = 0;
      for (LongContextExample e : examples) {
        n++;
        assertEquals(List.of(), ExampleChecks.violations(e, TestTexts.tokenizer()), e.getId());
        assertFalse(e.getContext().contains(FOOTER_LINE), "the footer in " + e.getId());
      }
      assertTrue(n >= 20, "examples: " + n);
      return null;
    });
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(5, counter(result, "segments_shortened"));
    assertEquals(0, counter(result, "segments_removed"));
    assertEquals(5L * (FOOTER_LINE.length() + 1), counter(result, "characters_removed"));
  }

  private static long counter(PipelineResult result, String name) {
    return result.metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(DropBoilerplate.class, name)).build())
        .getCounters().iterator().next().getAttempted();
  }
}
