package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The checkpoint settings a stream job gets so that Beam's exactly-once Kafka writers never release
 * records before a checkpoint holds them (see {@link In2Main#stableInputBuffers}).
 */
class StableInputBuffersTest {
  private static String[] args(String... extra) {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(extra));
    all.add("--bootstrapServers=localhost:1"); // parsing only: nothing connects
    all.add("--inputTopic=docs");
    return all.toArray(String[]::new);
  }

  private static In2Main.Options parse(String... extra) {
    return In2Main.parse(args(extra));
  }

  @Test
  void aStreamGetsARingOfBuffersDeeperThanOneUnconfirmedCheckpointAndAPause() {
    In2Main.Options o = parse("--mode=stream", "--checkpointingInterval=3000");
    assertEquals(In2Main.DEFAULT_STABLE_INPUT_CHECKPOINTS, o.getNumConcurrentCheckpoints());
    assertTrue(o.getNumConcurrentCheckpoints() >= In2Main.MIN_STABLE_INPUT_CHECKPOINTS);
    assertEquals(1_000L, o.getMinPauseBetweenCheckpoints());

    In2Main.Options fast = parse("--mode=stream", "--checkpointingInterval=600");
    assertEquals(300L, fast.getMinPauseBetweenCheckpoints());
  }

  @Test
  void aStreamWaitsLongerForACheckpointThanFlinksTenMinutesUnlessTold() {
    assertEquals(In2Main.DEFAULT_CHECKPOINT_TIMEOUT_MILLIS,
        parse("--mode=stream").getCheckpointTimeoutMillis());
    assertTrue(In2Main.DEFAULT_CHECKPOINT_TIMEOUT_MILLIS > 10 * 60_000L);
    assertEquals(120_000L,
        parse("--mode=stream", "--checkpointTimeoutMillis=120000").getCheckpointTimeoutMillis());
    assertEquals(-1L, parse("--mode=replay").getCheckpointTimeoutMillis());
  }

  @Test
  void objectReuseIsOnInEveryModeUnlessTurnedOff() {
    assertTrue(parse("--mode=stream").getObjectReuse());
    assertTrue(parse("--mode=replay").getObjectReuse());
    assertFalse(parse("--mode=replay", "--objectReuse=false").getObjectReuse());
  }

  @Test
  void explicitSafeValuesAreKept() {
    In2Main.Options o = parse("--mode=stream", "--numConcurrentCheckpoints=3",
        "--minPauseBetweenCheckpoints=0");
    assertEquals(3, o.getNumConcurrentCheckpoints());
    assertEquals(0L, o.getMinPauseBetweenCheckpoints());
  }

  @Test
  void oneConcurrentCheckpointIsRefusedInAStream() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("--mode=stream", "--numConcurrentCheckpoints=1"));
    assertTrue(e.getMessage().contains("--numConcurrentCheckpoints=1"), e.getMessage());
    assertEquals(2, In2Main.execute(args("--mode=stream", "--numConcurrentCheckpoints=1")),
        "a configuration error exits 2");
  }

  @Test
  void batchRunsAreLeftAlone() {
    In2Main.Options o = parse("--mode=replay", "--numConcurrentCheckpoints=1");
    assertEquals(1, o.getNumConcurrentCheckpoints());
  }
}
