package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChaosReportTest {
  @Test
  void percentilesUseTheNearestRank() {
    List<Long> values = new ArrayList<>();
    for (long i = 100; i >= 1; i--) {
      values.add(i * 10); // 1000, 990, ..., 10: unsorted on purpose
    }
    assertEquals("p50 500, p90 900, p99 990, max 1000 (n 100)", ChaosReport.percentiles(values));
    assertEquals(100, values.get(90), "the caller's list is not reordered");
  }

  @Test
  void fewValuesAndNone() {
    assertEquals("p50 7, p90 7, p99 7, max 7 (n 1)", ChaosReport.percentiles(List.of(7L)));
    assertEquals("p50 2, p90 3, p99 3, max 3 (n 3)", ChaosReport.percentiles(List.of(3L, 1L, 2L)));
    assertEquals("-", ChaosReport.percentiles(List.of()));
  }
}
