package org.in2stream.pipeline.dedup;

import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.joda.time.Instant;

/**
 * The timer discipline shared by the dedup DoFns (all in the global window). Items wait in state
 * until the watermark passes their event time; the "decide" timer fires at {@code t + 1} for the
 * earliest waiting item {@code t} and holds the output watermark at {@code t}, so every item is
 * emitted on time with its own timestamp. When it fires, every item of event time below the firing
 * time has arrived (the watermark says so), so the items are decided in (event time, tie-break)
 * order, whatever order they arrived in. The "expire" timer drops what is older than the horizon;
 * it holds nothing.
 */
final class DecideTimers {
  /** The last firing time a timer may have in the global window. */
  static final long MAX = GlobalWindow.INSTANCE.maxTimestamp().getMillis();

  private DecideTimers() {}

  /** The firing time that decides an item of event time {@code t}. */
  static long decideTime(long t) {
    return t >= MAX - 1 ? MAX : t + 1;
  }

  /** True if an item of event time {@code t} is decided by a timer firing at {@code firing}. */
  static boolean ready(long t, long firing) {
    return t < firing || firing >= MAX;
  }

  /**
   * Makes sure a decide timer will fire for an item of event time {@code t}; called while
   * processing that item (its timestamp bounds the hold from below).
   */
  static void onArrival(Timer decide, ValueState<Long> decideAt, long t) {
    Long current = decideAt.read();
    long fire = decideTime(t);
    if (current == null || fire < current) {
      decide.withOutputTimestamp(new Instant(Math.min(t, fire))).set(new Instant(fire));
      decideAt.write(fire);
    }
  }

  /** After a firing: the next decide timer for the earliest item still waiting, if any. */
  static void rearm(Timer decide, ValueState<Long> decideAt, long earliestWaiting) {
    if (earliestWaiting == Long.MAX_VALUE) {
      decideAt.clear();
      return;
    }
    long fire = decideTime(earliestWaiting);
    decide.withOutputTimestamp(new Instant(Math.min(earliestWaiting, fire)))
        .set(new Instant(fire));
    decideAt.write(fire);
  }

  /** Sets the expiry timer to fire when state of event time {@code t} leaves the horizon. */
  static void expireAfter(Timer expire, long t, long horizonMillis, long notBefore) {
    long due = t > MAX - horizonMillis - 1 ? MAX : t + horizonMillis + 1;
    expire.withNoOutputTimestamp().set(new Instant(Math.min(MAX, Math.max(due, notBefore))));
  }
}
