package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.PipelineResult;
import org.in2stream.pipeline.eval.EvalSide;
import org.in2stream.pipeline.eval.ProbeBuilder;
import org.in2stream.runners.tools.BuildProbes;
import org.in2stream.runners.tools.DatasetCard;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.OutputReport;
import org.in2stream.runners.tools.ProduceDocs;
import org.in2stream.schema.Document;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.Probe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --evalSplit} on the Flink runner, the way {@link ParallelismIT} checks parallelism
 * independence: the same offset range replayed at parallelism 1 and 2 routes the same documents to
 * the evaluation side, gives the same training examples (canonical hashes) and the same evaluation
 * QA pairs, and the probes cut from either run are byte-identical. No document of a probe is the
 * source or a filler of a training example, and the dataset card reports the 10-gram check.
 */
class EvalSplitIT {
  @RegisterExtension
  static final EmbeddedKafka.PerClass kafka = new EmbeddedKafka.PerClass();

  private static PipelineResult.State run(Path out, int parallelism) {
    In2Main.Prepared o = In2Main.prepare(
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=docs",
        "--windowSeconds=60",
        "--fillerHorizonWindows=3",
        "--maxDelaySeconds=5",
        "--minContextTokens=2048",
        "--maxContextTokens=8192",
        "--mixture=1:0:0",
        "--numShards=2",
        "--evalSplit=hash:0.25",
        "--output=" + out,
        "--parallelism=" + parallelism);
    return In2Main.run(o.options(), o.config()).waitUntilFinish();
  }

  private static Set<String> ids(List<Document> docs) {
    Set<String> ids = new TreeSet<>();
    docs.forEach(d -> ids.add(d.getId()));
    return ids;
  }

  @Test
  void evaluationSideIsApartAndTheSameAtParallelismOneAndTwo(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.generate(corpus, 160, 57, false);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "docs", 2);
    long sent = ProduceDocs.produce(kafka.bootstrapServers(), "docs", corpus);

    Path p1 = tmp.resolve("p1");
    Path p2 = tmp.resolve("p2");
    assertEquals(PipelineResult.State.DONE, run(p1, 1));
    assertEquals(PipelineResult.State.DONE, run(p2, 2));
    OutputReport.Report one = OutputReport.read(p1);
    OutputReport.Report two = OutputReport.read(p2);
    assertEquals(List.of(), one.violations());
    assertEquals(sent, two.inputsAccounted().size(),
        "every record an example, a dead letter or an evaluation document");
    assertEquals(StreamReplayIT.canonicalHash(one.examples()),
        StreamReplayIT.canonicalHash(two.examples()), "training examples at parallelism 1 and 2");

    Path evalDocs = Path.of(EvalSide.DIR, EvalSide.DOCUMENTS_DIR);
    Set<String> eval1 = ids(readDocs(p1.resolve(evalDocs)));
    Set<String> eval2 = ids(readDocs(p2.resolve(evalDocs)));
    assertEquals(eval1, eval2, "the same split at parallelism 1 and 2");
    assertTrue(eval1.size() >= 20 && eval1.size() <= 70, "evaluation documents: " + eval1.size());

    ProbeBuilder.Settings grid = new ProbeBuilder.Settings(List.of(1024, 2048, 4096, 8192), 10,
        1, ProbeBuilder.KINDS, 42, 128, 512);
    ProbeBuilder.Result probes1 = BuildProbes.build(p1, p1.resolve("eval/probes"), grid,
        "tiktoken:cl100k_base");
    ProbeBuilder.Result probes2 = BuildProbes.build(p2, p2.resolve("eval/probes"), grid,
        "tiktoken:cl100k_base");
    System.out.println("evaluation documents: " + eval1.size() + ", probes: "
        + probes1.probes().size() + ", skipped: " + probes1.problems());
    assertEquals(List.of(), probes1.problems());
    assertEquals(4 * 4 * 10, probes1.probes().size());
    for (String f : List.of(BuildProbes.JSONL, BuildProbes.PARQUET)) {
      assertTrue(java.util.Arrays.equals(Files.readAllBytes(p1.resolve("eval/probes").resolve(f)),
          Files.readAllBytes(p2.resolve("eval/probes").resolve(f))), f + " byte-identical");
    }

    // Zero documents shared between training examples (source or filler) and probes.
    Set<String> training = new TreeSet<>();
    for (LongContextExample e : two.examples()) {
      training.add(e.getSourceDocId());
      training.addAll(e.getFillerDocIds());
    }
    Set<String> probeDocs = new TreeSet<>();
    for (Probe p : probes2.probes()) {
      probeDocs.addAll(p.getDocIds());
    }
    assertTrue(training.size() > 50 && probeDocs.size() >= 10, training.size() + " / "
        + probeDocs.size());
    assertTrue(eval1.containsAll(probeDocs), "probes use evaluation documents only");
    Set<String> shared = new TreeSet<>(training);
    shared.retainAll(probeDocs);
    assertEquals(Set.of(), shared, "documents in both a training example and a probe");
    Set<String> evalInTraining = new TreeSet<>(training);
    evalInTraining.retainAll(eval1);
    assertEquals(Set.of(), evalInTraining);

    DatasetCard.write(p2, p2.resolve("card"));
    String card = Files.readString(p2.resolve("card/README.md"));
    assertTrue(card.contains("## Evaluation probes and training data"), card);
    assertTrue(card.contains("| evaluation documents used by a training example (source or "
        + "filler) | 0 |"), card);
    assertTrue(card.contains("| probes sharing a 10-gram with training text |"), card);
  }

  private static List<Document> readDocs(Path dir) throws Exception {
    List<Document> out = new java.util.ArrayList<>();
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".avro")).sorted().toList()) {
        try (var reader = new org.apache.avro.file.DataFileReader<>(f.toFile(),
            new org.apache.avro.specific.SpecificDatumReader<>(Document.class))) {
          reader.forEach(out::add);
        }
      }
    }
    return out;
  }
}
