package org.in2stream.pipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EventTimeClampTest {
  @Test
  void outOfOrderWithinTheDelayKeepsItsTimestamp() {
    EventTimeClamp c = new EventTimeClamp(5_000, Long.MIN_VALUE);
    assertEquals(100_000, c.eventTime(100_000));
    assertEquals(96_000, c.eventTime(96_000), "4 s behind the newest: within the delay");
    assertEquals(95_000, c.watermark());
    assertEquals(0, c.clampedCount());
  }

  @Test
  void aRecordBehindTheWatermarkTakesTheWatermarkSoItIsNeverLate() {
    EventTimeClamp c = new EventTimeClamp(5_000, Long.MIN_VALUE);
    c.eventTime(100_000);
    long t = c.eventTime(20_000);
    assertEquals(95_000, t);
    assertTrue(t >= c.watermark());
    assertEquals(1, c.clampedCount());
  }

  @Test
  void theWatermarkNeverGoesBackAndARestoreContinuesFromIt() {
    EventTimeClamp c = new EventTimeClamp(1_000, Long.MIN_VALUE);
    c.eventTime(10_000);
    c.advanceTo(5_000);
    assertEquals(9_000, c.watermark());
    EventTimeClamp restored = new EventTimeClamp(1_000, c.watermark());
    assertEquals(c.eventTime(3_000), restored.eventTime(3_000),
        "a restored clamp assigns the same event time as the one it replaces");
  }
}
