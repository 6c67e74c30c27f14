package org.in2stream.pipeline.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EvidenceSpansTest {
  @Test
  void tokenBoundsAreBinarySearches() {
    int[] starts = {0, 4, 9, 15};
    assertEquals(1, EvidenceSpans.lastAtOrBefore(starts, 5));
    assertEquals(0, EvidenceSpans.lastAtOrBefore(starts, 0));
    assertEquals(2, EvidenceSpans.firstAtOrAfter(starts, 5));
    assertEquals(4, EvidenceSpans.firstAtOrAfter(starts, 16));
    assertEquals(3, EvidenceSpans.firstAtOrAfter(starts, 15));
  }
}
