package org.in2stream.pipeline.synth.llm;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.in2stream.pipeline.util.Seeds;

/**
 * When to call again after a retryable failure (429, 5xx, timeout, connection error): exponential
 * backoff with jitter, never earlier than the server's {@code Retry-After}, and never past the
 * request's budget. Pure: the jitter comes from a generator keyed by (seed, request key, attempt), so
 * the schedule is the same on every run; only the clock that measures the budget is real.
 */
public record RetryPolicy(int maxRetries, long budgetMs, long baseMs, long maxMs, long seed) {

  /**
   * The wait before the next call, or empty to give up.
   *
   * @param retriesDone retries already made (0 after the first call failed)
   * @param retryAfterMs what the server asked for, or -1 when it said nothing
   * @param elapsedMs time since the request's first call started
   * @param timeoutMs the per-call timeout: a retry must be able to end inside the budget
   */
  public OptionalLong nextDelayMs(String requestKey, int retriesDone, long retryAfterMs,
      long elapsedMs, long timeoutMs) {
    if (retriesDone >= maxRetries) {
      return OptionalLong.empty();
    }
    long exp = baseMs << Math.min(retriesDone, 30);
    long capped = Math.min(maxMs, exp < 0 ? maxMs : exp);
    // "Equal jitter": half fixed, half random, so waits grow yet retries of many requests spread out.
    SplittableRandom rng = Seeds.rng(seed, "llm-backoff", requestKey + "#" + retriesDone);
    long delay = capped / 2 + (long) (rng.nextDouble() * (capped - capped / 2 + 1));
    if (retryAfterMs >= 0) {
      // The server's word is a floor; a little jitter on top keeps waiters from waking together.
      delay = Math.max(delay, retryAfterMs + (long) (rng.nextDouble() * Math.min(250, baseMs)));
    }
    // Give up unless the wait plus one more call at its full timeout fits in the budget: so a
    // request never takes longer than the budget, whatever the server does.
    if (elapsedMs + delay + timeoutMs > budgetMs) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(delay);
  }

  /**
   * Milliseconds asked for by {@code retry-after-ms} (OpenAI's) or {@code Retry-After} (seconds or an
   * HTTP date), or -1 when neither is present and valid.
   */
  public static long retryAfterMs(String retryAfterMsHeader, String retryAfterHeader, long nowMs) {
    if (retryAfterMsHeader != null) {
      try {
        double ms = Double.parseDouble(retryAfterMsHeader.trim());
        if (ms >= 0 && !Double.isInfinite(ms)) {
          return (long) Math.ceil(ms);
        }
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    if (retryAfterHeader == null || retryAfterHeader.isBlank()) {
      return -1;
    }
    String v = retryAfterHeader.trim();
    try {
      double seconds = Double.parseDouble(v);
      return seconds < 0 ? -1 : (long) Math.ceil(seconds * 1000);
    } catch (NumberFormatException notSeconds) {
      try {
        long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()
            .toEpochMilli();
        return Math.max(0, at - nowMs);
      } catch (DateTimeParseException notDate) {
        return -1;
      }
    }
  }
}
