package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.in2stream.runners.tools.ChaosReport.Accounting;
import org.in2stream.runners.tools.ChaosReport.DeadLetter;
import org.in2stream.runners.tools.ChaosReport.Example;
import org.in2stream.runners.tools.ChaosReport.Inputs;
import org.in2stream.runners.tools.ChaosReport.Sink;
import org.junit.jupiter.api.Test;

/**
 * The chaos run's accounting: a clean run passes, and each planted fault of the output (a lost
 * document, a duplicate, a dead letter with a reason off the list, different id sets, a fault that
 * did not recover) fails it with a problem that names it.
 */
class ChaosReportTest {
  private static final Set<String> DOCS = Set.of("doc-00001", "doc-00002", "doc-00003");

  /** Two examples per document, the same in both sinks. */
  private static List<Example> clean() {
    List<Example> l = new ArrayList<>();
    for (String d : new TreeSet<>(DOCS)) {
      for (String kind : List.of("FINE_GRAINED", "MULTI_SEGMENT")) {
        l.add(new Example(d + "/" + kind, d, ChaosReport.digest(d, kind, "question")));
      }
    }
    return l;
  }

  private static Inputs inputs(Sink kafka, Sink files) {
    return new Inputs(DOCS, kafka, files, Set.of(), List.of(), 6, 6, 0, 0, 0);
  }

  private static Sink sink(List<Example> examples, DeadLetter... dead) {
    return new Sink(examples, List.of(dead));
  }

  private static void assertFailsWith(Accounting a, String fragment) {
    assertFalse(a.passed(), "the report must fail: " + a.measures());
    assertTrue(a.problems().stream().anyMatch(p -> p.contains(fragment)),
        "a problem mentions '" + fragment + "': " + a.problems());
  }

  @Test
  void aCleanRunPasses() {
    Accounting a = ChaosReport.account(inputs(sink(clean()), sink(clean())));
    assertTrue(a.passed(), a.problems().toString());
    assertEquals("0", a.measures().get("kafka_lost_doc_ids"));
    assertEquals("0", a.measures().get("file_lost_doc_ids"));
    assertEquals("6", a.measures().get("kafka_records"));
    assertEquals("none", a.measures().get("kafka_dead_letters_by_reason"));
  }

  @Test
  void aDocumentWithoutExampleOrDeadLetterIsLostInThatSink() {
    List<Example> files = new ArrayList<>(clean());
    files.removeIf(e -> e.docId().equals("doc-00002"));
    Accounting a = ChaosReport.account(inputs(sink(clean()), sink(files)));
    assertFailsWith(a, "1 documents lost in the files");
    assertEquals("0", a.measures().get("kafka_lost_doc_ids"));
    assertEquals("1", a.measures().get("file_lost_doc_ids"));
    assertEquals("doc-00002", a.measures().get("file_lost_sample"));
  }

  @Test
  void aDocumentLostInKafkaFailsEvenIfTheFilesHaveIt() {
    List<Example> kafka = new ArrayList<>(clean());
    kafka.removeIf(e -> e.docId().equals("doc-00003"));
    assertFailsWith(ChaosReport.account(inputs(sink(kafka), sink(clean()))),
        "1 documents lost in Kafka");
  }

  @Test
  void aDeadLetterWithAReasonOffTheListFailsAndDoesNotAccountForItsDocument() {
    List<Example> kafka = new ArrayList<>(clean());
    kafka.removeIf(e -> e.docId().equals("doc-00001"));
    List<Example> files = new ArrayList<>(kafka);
    DeadLetter dl = new DeadLetter("doc-00001", "INSUFFICIENT_FILLER");
    Accounting a = ChaosReport.account(inputs(sink(kafka, dl), sink(files, dl)));
    assertFailsWith(a, "reasons not allowed for this corpus: INSUFFICIENT_FILLER 1");
    assertFailsWith(a, "1 documents lost in Kafka");
    assertEquals("INSUFFICIENT_FILLER 1", a.measures().get("kafka_dead_letters_by_reason"));
  }

  @Test
  void aDeadLetterWithAnAllowedReasonAccountsForItsDocument() {
    List<Example> kafka = new ArrayList<>(clean());
    kafka.removeIf(e -> e.docId().equals("doc-00001"));
    DeadLetter dl = new DeadLetter("doc-00001", "TOO_SHORT");
    Inputs in = new Inputs(DOCS, sink(kafka, dl), sink(new ArrayList<>(kafka), dl),
        Set.of("TOO_SHORT"), List.of(), 6, 6, 0, 0, 0);
    Accounting a = ChaosReport.account(in);
    assertTrue(a.passed(), a.problems().toString());
    assertEquals("TOO_SHORT 1", a.measures().get("file_dead_letters_by_reason"));
  }

  @Test
  void anExtraDeadLetterOffTheListFailsEvenWhenEveryDocumentHasExamples() {
    DeadLetter dl = new DeadLetter(null, "INTERNAL_ERROR");
    assertFailsWith(ChaosReport.account(inputs(sink(clean(), dl), sink(clean()))),
        "INTERNAL_ERROR 1");
  }

  @Test
  void anIdTwiceInKafkaIsADuplicate() {
    List<Example> kafka = new ArrayList<>(clean());
    kafka.add(kafka.get(0));
    Accounting a = ChaosReport.account(inputs(sink(kafka), sink(clean())));
    assertFailsWith(a, "1 example ids more than once in Kafka");
    assertEquals("1", a.measures().get("kafka_dup_extra_records"));
  }

  @Test
  void identicalExtraCopiesWithinTheRunbookAllowancePassOtherwiseNot() {
    List<Example> kafka = new ArrayList<>(clean());
    kafka.add(kafka.get(0));
    kafka.add(kafka.get(1));
    Inputs within = new Inputs(DOCS, sink(kafka), sink(clean()), Set.of(), List.of(), 6, 6, 2,
        0, 0);
    assertTrue(ChaosReport.account(within).passed());
    Inputs beyond = new Inputs(DOCS, sink(kafka), sink(clean()), Set.of(), List.of(), 6, 6, 1,
        0, 0);
    assertFailsWith(ChaosReport.account(beyond), "2 example ids more than once in Kafka");
  }

  @Test
  void theSameContentUnderTwoIdsIsADuplicateInTheFilesToo() {
    List<Example> both = new ArrayList<>(clean());
    Example first = both.get(0);
    both.add(new Example("other-id", first.docId(), first.contentDigest()));
    Accounting a = ChaosReport.account(inputs(sink(both), sink(new ArrayList<>(both))));
    assertFailsWith(a, "share their content with another id");
    assertEquals("2", a.measures().get("file_ids_sharing_content"));
  }

  @Test
  void oneIdWithTwoContentsIsACollision() {
    List<Example> kafka = new ArrayList<>(clean());
    Example first = kafka.get(0);
    kafka.add(new Example(first.id(), first.docId(), ChaosReport.digest("something else")));
    Inputs in = new Inputs(DOCS, sink(kafka), sink(clean()), Set.of(), List.of(), 6, 6, 5, 0, 0);
    assertFailsWith(ChaosReport.account(in), "two different contents in Kafka");
  }

  @Test
  void idSetsThatDifferFail() {
    List<Example> kafka = new ArrayList<>(clean());
    kafka.add(new Example("doc-00001/EXTRA", "doc-00001", ChaosReport.digest("extra")));
    Accounting a = ChaosReport.account(inputs(sink(kafka), sink(clean())));
    assertFailsWith(a, "the Kafka and file id sets differ: 1 only in Kafka (doc-00001/EXTRA)");
    assertEquals("1", a.measures().get("ids_only_in_kafka"));
    assertEquals("0", a.measures().get("ids_only_in_files"));
  }

  @Test
  void anIdWithOtherContentInTheFilesFails() {
    List<Example> files = new ArrayList<>(clean());
    Example first = files.remove(0);
    files.add(new Example(first.id(), first.docId(), ChaosReport.digest("the other copy")));
    assertFailsWith(ChaosReport.account(inputs(sink(clean()), sink(files))),
        "one content in Kafka and another in the files");
  }

  @Test
  void missingFilesFail() {
    assertFailsWith(ChaosReport.account(inputs(sink(clean()), null)), "no output files");
  }

  @Test
  void aFaultThatDidNotRecoverOrWasSkippedFails() {
    Inputs failed = new Inputs(DOCS, sink(clean()), sink(clean()), Set.of(),
        List.of("broker-restart-1"), 6, 6, 0, 0, 0);
    assertFailsWith(ChaosReport.account(failed), "did not recover: broker-restart-1");
    Inputs skipped = new Inputs(DOCS, sink(clean()), sink(clean()), Set.of(), List.of(), 6, 4, 0,
        0, 0);
    assertFailsWith(ChaosReport.account(skipped), "only 4 of 6 planned faults");
  }

  @Test
  void undecodableRecordsAndBrokenInvariantsFail() {
    assertFailsWith(ChaosReport.account(new Inputs(DOCS, sink(clean()), sink(clean()), Set.of(),
        List.of(), 6, 6, 0, 1, 0)), "did not decode");
    assertFailsWith(ChaosReport.account(new Inputs(DOCS, sink(clean()), sink(clean()), Set.of(),
        List.of(), 6, 6, 0, 0, 2)), "2 invariant violations");
  }

  @Test
  void examplesOfDocumentsNeverSentFail() {
    List<Example> both = new ArrayList<>(clean());
    both.add(new Example("doc-09999/x", "doc-09999", ChaosReport.digest("stray")));
    assertFailsWith(ChaosReport.account(inputs(sink(both), sink(new ArrayList<>(both)))),
        "never sent: doc-09999");
  }

  @Test
  void theDigestSeparatesItsParts() {
    assertNotEquals(ChaosReport.digest("ab", "c"), ChaosReport.digest("a", "bc"));
    assertEquals(ChaosReport.digest("a", "b"), ChaosReport.digest("a", "b"));
  }

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
