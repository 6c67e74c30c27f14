package org.in2stream.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.in2stream.pipeline.eval.EvalSplit;
import org.in2stream.pipeline.synth.OfflineQaGenerator;
import org.in2stream.schema.Document;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.RawRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code --evalSplit} in the whole pipeline (direct runner): the documents the rule routes to
 * evaluation are exactly the evaluation side's documents, none of them is the source or a filler
 * of a training example, and the evaluation QA pairs come only from them.
 */
@ExtendWith(TestPipelineExtension.class)
class EvalSplitPipelineTest {
  private static final int DOCS = 40;

  private static Set<String> expectedEvalIds(EvalSplit.Rule rule, long seed) {
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < DOCS; i++) {
      Document d = Document.newBuilder().setId("doc-" + i).setText("x").setContentSha256("x")
          .setSource(TestTexts.source(i)).build();
      if (rule.isEval(d, seed)) {
        ids.add(d.getId());
      }
    }
    return ids;
  }

  @Test
  void evaluationDocumentsNeverReachTrainingExamples(TestPipeline pipeline) {
    List<RawRecord> input = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      input.add(In2PipelineTest.raw(i, In2PipelineTest.utf8("{\"id\":\"doc-" + i
          + "\",\"text\":\"" + TestTexts.document(i, 7).replace("\n", "\\n") + "\"}")));
    }
    var config = TestConfigs.fromArgs("--minContextTokens=2048", "--maxContextTokens=8192",
        "--mixture=0.5:0.5:0", "--evalSplit=hash:0.3");
    Set<String> evalIds = expectedEvalIds(config.evalSplit(), config.seed());
    assertTrue(evalIds.size() >= 5 && evalIds.size() <= 20, "evaluation share of 40: " + evalIds);

    In2Pipeline.Outputs out = In2Pipeline.build(pipeline, config,
        In2PipelineTest.timestamped(input), OfflineQaGenerator.factory(42));

    PAssert.that(out.eval().documents()).satisfies(docs -> {
      Set<String> ids = new TreeSet<>();
      docs.forEach(d -> ids.add(d.getId()));
      assertEquals(evalIds, ids, "the evaluation side holds exactly the routed documents");
      return null;
    });
    PAssert.that(out.eval().qa()).satisfies(qa -> {
      int n = 0;
      for (QaPair q : qa) {
        assertTrue(evalIds.contains(q.getDocId()), "evaluation QA of " + q.getDocId());
        n++;
      }
      assertTrue(n > 0, "the evaluation side has QA pairs");
      return null;
    });
    PAssert.that(out.qaPairs()).satisfies(qa -> {
      for (QaPair q : qa) {
        assertTrue(!evalIds.contains(q.getDocId()), "training QA of an evaluation document");
      }
      return null;
    });
    PAssert.that(out.examples()).satisfies(examples -> {
      Set<String> used = new HashSet<>();
      int n = 0;
      for (LongContextExample e : examples) {
        used.add(e.getSourceDocId());
        used.addAll(e.getFillerDocIds());
        n++;
      }
      assertTrue(n > 0, "training examples exist");
      Set<String> shared = new TreeSet<>(used);
      shared.retainAll(evalIds);
      assertEquals(Set.of(), shared, "evaluation documents used by training examples");
      assertEquals(DOCS - evalIds.size(), new TreeSet<>(used).size(),
          "every training document is used");
      return null;
    });
    pipeline.run().waitUntilFinish();
  }
}
