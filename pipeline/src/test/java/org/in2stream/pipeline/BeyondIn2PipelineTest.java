package org.in2stream.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.in2stream.pipeline.assemble.TrainingTemplate;
import org.in2stream.pipeline.check.ExampleChecks;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.synth.OfflineQaGenerator;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.RawRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole pipeline on the direct runner with the extensions beyond the paper on: mixed filler
 * hardness with confusers, and a share of unanswerable examples. Every example passes the
 * invariants (the opposite ones for UNANSWERABLE), and the same input in another order gives the
 * same records.
 */
@ExtendWith(TestPipelineExtension.class)
class BeyondIn2PipelineTest {
  private static final Map<String, Set<LongContextExample>> SEEN = new ConcurrentHashMap<>();
  private static final Map<String, List<String>> FAILED = new ConcurrentHashMap<>();

  static PipelineConfig config() {
    return TestConfigs.fromArgs("--minContextTokens=2048", "--maxContextTokens=8192",
        "--mixture=0.45:0.45:0.1:0.4", "--fillerHardness=mixed:0.5", "--confuserShare=0.2",
        "--maxInFlight=16");
  }

  private static void collect(String name, Pipeline p, List<RawRecord> input) {
    In2Pipeline.Outputs out = In2Pipeline.build(p, config(), In2PipelineTest.timestamped(input),
        OfflineQaGenerator.factory(42));
    PAssert.that(out.examples()).satisfies(it -> {
      Set<LongContextExample> all = new HashSet<>();
      it.forEach(all::add);
      SEEN.put(name, all);
      return null;
    });
    PAssert.that(out.failures()).satisfies(it -> {
      List<String> reasons = new ArrayList<>();
      it.forEach(f -> reasons.add(f.getStage() + ":" + f.getReason() + ":" + f.getMessage()));
      FAILED.put(name, reasons);
      return null;
    });
  }

  @Test
  void hardAndUnanswerableExamplesAreSoundAndReplayTheSame(TestPipeline pipeline) {
    List<RawRecord> input = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      input.add(In2PipelineTest.raw(i, In2PipelineTest.utf8(TestTexts.document(1_000 + i, 7))));
    }
    List<RawRecord> reversed = new ArrayList<>(input);
    Collections.reverse(reversed);
    collect("forward", pipeline, input);
    pipeline.run().waitUntilFinish();
    Pipeline second = Pipeline.create();
    collect("reversed", second, reversed);
    second.run().waitUntilFinish();

    Set<LongContextExample> examples = SEEN.get("forward");
    assertEquals(examples, SEEN.get("reversed"), "same input, same config: same records");
    Set<String> settings = new HashSet<>();
    int unanswerable = 0;
    for (LongContextExample e : examples) {
      assertEquals(List.of(), ExampleChecks.violations(e, TestTexts.tokenizer()), e.getId());
      if (e.getKind() == Kind.SHORT_CONTEXT) {
        assertNull(e.getHardness());
        continue;
      }
      assertNotNull(e.getHardness(), e.getId());
      settings.add(e.getFillerHardness());
      if (e.getKind() == Kind.UNANSWERABLE) {
        unanswerable++;
        assertEquals(TrainingTemplate.ABSTENTION, e.getAnswer());
        assertFalse(e.getContext().toLowerCase(Locale.ROOT)
            .contains(e.getWithheldAnswer().toLowerCase(Locale.ROOT)));
        assertFalse(e.getFillerDocIds().contains(e.getSourceDocId()));
      }
    }
    // every document gives one question; in assembly, one is only lost when the pool has too
    // little text that neither holds nor grounds its answer (the offline generator's answers are
    // words of this corpus's template), and the dead letter says so
    assertEquals(List.of(), FAILED.get("forward").stream()
        .filter(f -> f.startsWith("AssembleContexts")
            && !(f.contains("INSUFFICIENT_FILLER") && f.contains("hold or ground the answer")))
        .toList());
    assertTrue(examples.size() >= 25, "examples: " + examples.size() + ", dead letters: "
        + FAILED.get("forward"));
    assertTrue(unanswerable >= 3, "unanswerable examples: " + unanswerable);
    assertEquals(Set.of("similar+confuser", "random+confuser"), settings);
  }
}
