package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.in2stream.runners.tools.TrafficReport.Dead;
import org.in2stream.runners.tools.TrafficReport.Input;
import org.in2stream.runners.tools.TrafficReport.Measured;
import org.in2stream.runners.tools.TrafficReport.Output;
import org.junit.jupiter.api.Test;

/** The traffic-profile table: share, accounting by Kafka coordinates, re-crawl copies, latency. */
class TrafficReportTest {
  private static final String CHECKPOINTS = """
      {"counts":{"completed":12},
       "summary":{"state_size":{"min":100,"max":90000,"avg":500}},
       "latest":{"completed":{"id":12,"state_size":81234,"checkpointed_size":81234}}}""";

  /** Page i at offset i, sent at 1000 * i ms. */
  private static List<Input> pages(int n) {
    List<Input> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(new Input("in/0@" + i, "https://x/" + i, "doc-" + i, 1000L * i));
    }
    return l;
  }

  /** One example per listed page, created {@code delay} ms after it was sent. */
  private static List<Output> examples(List<Input> of, long delay) {
    List<Output> l = new ArrayList<>();
    for (Input in : of) {
      l.add(new Output("ex-" + in.coords(), in.coords(), in.timestamp(), in.timestamp() + delay));
    }
    return l;
  }

  @Test
  void everyPageWithExamplesPassesAndTheRowHoldsLatencyAndStateSize() throws Exception {
    List<Input> in = pages(100);
    List<Output> out = new ArrayList<>(examples(in, 2_000));
    out.add(new Output("ex2-in/0@0", "in/0@0", 0, 30_000)); // a second, slower example of page 0
    Measured m = TrafficReport.measure(in, out, List.of(), CHECKPOINTS, 0.99);
    assertTrue(m.passed(), m.problems().toString());
    assertEquals("1.0000", m.row().get("share_with_examples"));
    assertEquals("2.0", m.row().get("latency_p50_s"));
    assertEquals("2.0", m.row().get("latency_p99_s"));
    assertEquals("81234", m.row().get("state_bytes_latest"));
    assertEquals("90000", m.row().get("state_bytes_max"));
    assertEquals("12", m.row().get("checkpoints_completed"));
    m.row().putAll(TrafficReport.heap((700L << 20) + ":" + (1024L << 20)));
    String md = TrafficReport.markdown("trickle", "settings", m);
    assertTrue(md.contains("| 100 | 100 | 0 | 100 | 1.0000 | 0 | 0 | 0 | none | 2.0 / 2.0 | 81234 /"
        + " 90000 | 700 / 1024 | PASS |"), md);
  }

  @Test
  void heapFiguresThatWereNotSampledShowAsDashes() {
    assertEquals("-", TrafficReport.heap(null).get("tm_heap_peak_mib"));
    assertEquals("-", TrafficReport.heap("12:").get("tm_heap_max_mib"));
    assertEquals("-", TrafficReport.heap("x:5").get("tm_heap_peak_mib"));
    assertEquals("3", TrafficReport.heap((3L << 20) + ":" + (8L << 20)).get("tm_heap_peak_mib"));
  }

  @Test
  void starvedPagesLowerTheShareBelowTheBarAndAreCountedByReason() throws Exception {
    List<Input> in = pages(100);
    List<Output> out = examples(in.subList(0, 98), 1_000);
    List<Dead> dead = List.of(new Dead("in/0@98", "doc-98", "INSUFFICIENT_FILLER"),
        new Dead("in/0@99", "doc-99", "INSUFFICIENT_FILLER"));
    Measured m = TrafficReport.measure(in, out, dead, null, 0.99);
    assertFalse(m.passed());
    assertEquals("0.9800", m.row().get("share_with_examples"));
    assertEquals("0", m.row().get("inputs_lost"));
    assertEquals("INSUFFICIENT_FILLER 2", m.row().get("dead_letters_by_reason"));
    assertEquals("-", m.row().get("state_bytes_latest"));
    assertTrue(m.problems().get(0).contains("98 of 100 pages"), m.problems().toString());
  }

  @Test
  void anInputWithNeitherExampleNorDeadLetterIsLostEvenAboveTheShare() throws Exception {
    List<Input> in = pages(200);
    List<Output> out = examples(in.subList(0, 199), 1_000);
    Measured m = TrafficReport.measure(in, out, List.of(), null, 0.99);
    assertEquals("0.9950", m.row().get("share_with_examples"));
    assertEquals("1", m.row().get("inputs_lost"));
    assertFalse(m.passed());
    assertTrue(m.problems().get(0).contains("doc-199@in/0@199"), m.problems().toString());
  }

  @Test
  void aDeadLetterWithoutCoordinatesAccountsForTheInputsOfItsDocument() throws Exception {
    List<Input> in = pages(3);
    Measured m = TrafficReport.measure(in, examples(in.subList(0, 2), 10),
        List.of(new Dead(null, "doc-2", "TOO_SHORT")), null, 0.5);
    assertEquals("0", m.row().get("inputs_lost"));
    assertTrue(m.passed(), m.problems().toString());
  }

  @Test
  void aRecrawlCopyWithExamplesFailsAndADeadLetteredCopyDoesNot() throws Exception {
    List<Input> in = new ArrayList<>(pages(10));
    for (int i = 0; i < 10; i++) { // the same pages again, later, at offsets 10..19
      in.add(new Input("in/0@" + (10 + i), "https://x/" + i, "doc-" + i, 100_000L + i));
    }
    List<Output> out = new ArrayList<>(examples(in.subList(0, 10), 500));
    List<Dead> dead = new ArrayList<>();
    for (int i = 10; i < 19; i++) {
      dead.add(new Dead("in/0@" + i, "doc-" + (i - 10), "DUPLICATE"));
    }
    out.add(new Output("ex-in/0@9", "in/0@19", 100_009L, 100_600L)); // copy of page 9, same id
    Measured m = TrafficReport.measure(in, out, dead, null, 0.99);
    assertEquals("10", m.row().get("pages"));
    assertEquals("10", m.row().get("recrawl_copies"));
    assertEquals("1.0000", m.row().get("share_with_examples"));
    assertEquals("1", m.row().get("copies_with_examples"));
    assertEquals("DUPLICATE 9", m.row().get("dead_letters_by_reason"));
    assertEquals("1", m.row().get("example_ids_more_than_once"));
    assertFalse(m.passed());
    assertTrue(m.problems().get(0).contains("1 re-crawl copies"), m.problems().toString());
  }

  @Test
  void theEarliestFetchIsTheOriginalWhateverTheListOrder() throws Exception {
    List<Input> in = new ArrayList<>();
    in.add(new Input("in/1@0", "https://x/a", "doc-a", 5_000)); // the later fetch, listed first
    in.add(new Input("in/0@0", "https://x/a", "doc-a", 1_000));
    Measured m = TrafficReport.measure(in,
        List.of(new Output("a", "in/0@0", 1_000, 2_000)),
        List.of(new Dead("in/1@0", "doc-a", "DUPLICATE")), null, 0.99);
    assertTrue(m.passed(), m.problems().toString());
    assertEquals("0", m.row().get("copies_with_examples"));
  }
}
