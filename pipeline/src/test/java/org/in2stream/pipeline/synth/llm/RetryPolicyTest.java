package org.in2stream.pipeline.synth.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(5, 60_000, 100, 2_000, 42);

  @Test
  void backoffGrowsWithJitterAndIsCapped() {
    long previousCap = 0;
    for (int retry = 0; retry < 5; retry++) {
      long cap = Math.min(2_000, 100L << retry);
      long d = policy.nextDelayMs("k", retry, -1, 0, 1_000).getAsLong();
      assertTrue(d >= cap / 2 && d <= cap, "retry " + retry + ": " + d + " not in [cap/2, cap]");
      assertTrue(cap >= previousCap);
      previousCap = cap;
    }
  }

  @Test
  void jitterIsDeterministicPerKeyAndAttemptButSpreadsAcrossKeys() {
    assertEquals(policy.nextDelayMs("a", 3, -1, 0, 1_000),
        policy.nextDelayMs("a", 3, -1, 0, 1_000));
    long distinct = java.util.stream.IntStream.range(0, 50)
        .mapToLong(i -> policy.nextDelayMs("key-" + i, 4, -1, 0, 1_000).getAsLong())
        .distinct().count();
    assertTrue(distinct > 30, "jitter spreads retries of different requests: " + distinct);
  }

  @Test
  void neverEarlierThanRetryAfter() {
    for (int i = 0; i < 100; i++) {
      long d = policy.nextDelayMs("k" + i, 0, 3_000, 0, 1_000).getAsLong();
      assertTrue(d >= 3_000, "waited " + d + " ms for a Retry-After of 3000 ms");
    }
  }

  @Test
  void givesUpAfterMaxRetriesOrWhenTheBudgetCannotHoldAnotherCall() {
    assertEquals(OptionalLong.empty(), policy.nextDelayMs("k", 5, -1, 0, 1_000));
    // 58 s elapsed, a 1 s timeout: a wait of >= 50 ms plus the call would pass 60 s only if > 1 s.
    assertTrue(policy.nextDelayMs("k", 0, -1, 58_000, 1_000).isPresent());
    assertEquals(OptionalLong.empty(), policy.nextDelayMs("k", 0, -1, 59_500, 1_000));
    // A Retry-After beyond the budget ends the request now instead of waiting in vain.
    assertEquals(OptionalLong.empty(), policy.nextDelayMs("k", 0, 120_000, 0, 1_000));
  }

  @Test
  void parsesRetryAfterInEveryForm() {
    assertEquals(2_000, RetryPolicy.retryAfterMs(null, "2", 0));
    assertEquals(1_500, RetryPolicy.retryAfterMs(null, "1.5", 0));
    assertEquals(250, RetryPolicy.retryAfterMs("250", "9", 0), "retry-after-ms wins");
    assertEquals(-1, RetryPolicy.retryAfterMs(null, null, 0));
    assertEquals(-1, RetryPolicy.retryAfterMs(null, "soon", 0));
    ZonedDateTime now = ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
    String in7s = now.plusSeconds(7).format(DateTimeFormatter.RFC_1123_DATE_TIME);
    assertEquals(7_000, RetryPolicy.retryAfterMs(null, in7s, now.toInstant().toEpochMilli()));
  }
}
