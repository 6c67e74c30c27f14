package org.in2stream.pipeline.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.util.CoderUtils;
import org.in2stream.pipeline.assemble.BuildFillerPool.Entry;
import org.in2stream.pipeline.assemble.BuildFillerPool.Keyed;
import org.in2stream.pipeline.assemble.BuildFillerPool.Part;
import org.in2stream.schema.Segment;
import org.in2stream.schema.Source;
import org.junit.jupiter.api.Test;

/** The two-level bottom-k of the filler pool equals one bottom-k over all the horizon's segments. */
class BuildFillerPoolTest {
  private static Entry entry(String doc, int index, long windowStart) {
    Source source = Source.newBuilder().setTopic("t").setPartition(0).setOffset(index)
        .setTimestamp(windowStart).build();
    Segment s = Segment.newBuilder().setDocId(doc).setIndex(index).setText(doc + " text " + index)
        .setTokens(3).setSource(source).build();
    return new Entry(s, windowStart);
  }

  /** The reference: the k smallest distinct segments by key, over everything at once. */
  private static List<String> reference(List<Keyed> all, int k) {
    TreeMap<String, Keyed> first = new TreeMap<>();
    List<Keyed> sorted = new ArrayList<>(all);
    sorted.sort(Keyed.ORDER);
    List<String> out = new ArrayList<>();
    for (Keyed x : sorted) {
      String id = x.entry().segment().getDocId() + "#" + x.entry().segment().getIndex();
      if (first.putIfAbsent(id, x) == null && out.size() < k) {
        out.add(id);
      }
    }
    return out;
  }

  private static List<String> ids(List<Keyed> list) {
    List<String> out = new ArrayList<>();
    for (Keyed x : list) {
      out.add(x.entry().segment().getDocId() + "#" + x.entry().segment().getIndex());
    }
    return out;
  }

  @Test
  void mergingWindowSamplesGivesTheBottomKOfTheWholeHorizonWhateverTheOrder() {
    Random random = new Random(7); // fixed seed: the test's data, not the pipeline's choices
    int k = 50;
    List<List<Keyed>> windows = new ArrayList<>();
    List<Keyed> all = new ArrayList<>();
    for (int w = 0; w < 6; w++) {
      List<Keyed> window = new ArrayList<>();
      int n = w == 2 ? 3 : 40 + random.nextInt(80); // one quiet window
      for (int i = 0; i < n; i++) {
        Keyed x = new Keyed(random.nextLong(), entry("doc-" + w + "-" + (i / 5), i % 5, w * 1000L));
        window.add(x);
      }
      if (w > 0) { // a segment that reaches two windows (a journal replay): counted once
        Keyed again = windows.get(0).get(0);
        window.add(new Keyed(again.key(), new Entry(again.entry().segment(), w * 1000L)));
      }
      windows.add(window);
      all.addAll(window);
    }
    List<Keyed> merged = new ArrayList<>();
    List<Keyed> mergedReversed = new ArrayList<>();
    for (int w = 0; w < windows.size(); w++) {
      List<Keyed> sample = new ArrayList<>(windows.get(w));
      BuildFillerPool.trim(sample, k);
      assertTrue(sample.size() <= k);
      merged = BuildFillerPool.mergeSorted(merged, sample, k);
      List<Keyed> other = new ArrayList<>(windows.get(windows.size() - 1 - w));
      java.util.Collections.shuffle(other, random);
      BuildFillerPool.trim(other, k);
      mergedReversed = BuildFillerPool.mergeSorted(other, mergedReversed, k);
    }
    List<String> expected = reference(all, k);
    assertEquals(k, expected.size());
    assertEquals(expected, ids(merged));
    assertEquals(expected, ids(mergedReversed));
  }

  @Test
  void aSampleSurvivesItsCoderAndKeepsItsOrder() throws Exception {
    List<Keyed> sample = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sample.add(new Keyed(100 - i, entry("d", i, 5000)));
    }
    sample.sort(Comparator.comparingLong(Keyed::key));
    Part part = new Part(sample, 0);
    Part back = CoderUtils.clone(Part.CODER, part);
    assertEquals(ids(sample), ids(back.sample()));
    assertEquals(5000L, back.sample().get(3).entry().windowStart());
    Part boilerplate = CoderUtils.clone(Part.CODER, Part.boilerplate(-42L));
    assertEquals(null, boilerplate.sample());
    assertEquals(-42L, boilerplate.boilerplateHash());
  }
}
