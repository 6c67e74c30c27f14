package org.in2stream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.in2stream.pipeline.assemble.AssembleContexts;
import org.in2stream.pipeline.assemble.ContextAssembler;
import org.in2stream.pipeline.assemble.FillerHardness;
import org.in2stream.pipeline.assemble.FillerIndex;
import org.in2stream.pipeline.assemble.LengthDistribution;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.assemble.TrainingTemplate;
import org.in2stream.pipeline.config.Recipe;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;

/**
 * Figures of filler hardness (not a test: it prints what it measured). On the generated demo
 * corpus (or {@code --corpus=DIR} of {@code corpus-*.jsonl}), a pool of up to {@code --pool}
 * segments: the time to build the pool's {@link FillerIndex} (signatures and the inverted index,
 * once per window and shard in the pipeline), the time per example of assembling with random and
 * with similar fillers, and the recorded hardness of both (quantiles).
 *
 * <pre>java -cp benchmarks/target/... org.in2stream.benchmarks.HardnessFigures --docs=4000 \
 *     --pool=20000 --examples=300 --contextTokens=32768</pre>
 */
public final class HardnessFigures {
  private HardnessFigures() {}

  public static void main(String[] argv) throws Exception {
    java.util.Map<String, String> args = new java.util.HashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("usage: --name=value (got " + a + ")");
      }
      args.put(a.substring(2, eq), a.substring(eq + 1));
    }
    int docs = Integer.parseInt(args.getOrDefault("docs", "4000"));
    int poolMax = Integer.parseInt(args.getOrDefault("pool", "20000"));
    int examples = Integer.parseInt(args.getOrDefault("examples", "300"));
    int contextTokens = Integer.parseInt(args.getOrDefault("contextTokens", "32768"));
    String tokenizer = args.getOrDefault("tokenizer", "tiktoken:cl100k_base");
    String corpus = args.getOrDefault("corpus", "");
    if (corpus.isEmpty()) {
      Path dir = Files.createTempDirectory("hardness-corpus");
      GenerateCorpus.generate(dir, docs, 7, false);
      corpus = dir.toString();
    }
    TextTokenizer tok = Tokenizers.load(tokenizer);
    List<List<Segment>> segmented = Corpus.segmented(Corpus.texts(corpus, docs), tok);
    List<Segment> pool = new ArrayList<>();
    List<QaPair> qa = new ArrayList<>();
    for (List<Segment> doc : segmented) {
      if (pool.size() < poolMax) {
        pool.addAll(doc.subList(0, Math.min(doc.size(), poolMax - pool.size())));
      }
      if (doc.size() >= 2 && qa.size() < examples) {
        Segment shown = doc.get(1);
        qa.add(QaPair.newBuilder().setRequestKey("bench-" + shown.getDocId())
            .setKind(Kind.FINE_GRAINED).setDocId(shown.getDocId())
            .setQuestion("Which number did the report give?").setAnswer("forty-two")
            .setSegments(List.of(shown)).setNeededSegmentIndexes(List.of(shown.getIndex()))
            .setModel("bench").setPromptVersion("bench").setSource(shown.getSource()).build());
      }
    }
    LengthDistribution lengths = LengthDistribution.uniform(contextTokens, contextTokens);
    AssembleContexts.Settings base = new AssembleContexts.Settings(tokenizer,
        TrainingTemplate.FILM_V1, 42, lengths, Placement.SHUFFLE,
        Recipe.resolveMaxSequence(0, lengths, 256), 256, 0.0, "bench");
    System.out.printf(Locale.ROOT, "pool: %,d segments of %,d documents; %d examples of %,d "
        + "tokens (%s)%n", pool.size(), segmented.size(), qa.size(), contextTokens, tokenizer);

    // CPU per segment of a signature: FillerIndex's against the repo's MinHash on the same texts
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    org.in2stream.pipeline.dedup.MinHash repo = new org.in2stream.pipeline.dedup.MinHash(
        new org.in2stream.pipeline.dedup.MinHash.Params(1, 16, 4, 42));
    FillerIndex signer = new FillerIndex(pool, 42);
    long sink = 0;
    long ownCpu = 0;
    long repoCpu = 0;
    for (int round = 0; round < 2; round++) {
      long c0 = cpu.getCurrentThreadCpuTime();
      for (Segment s : pool) {
        sink += signer.signature(s.getText())[0];
      }
      long c1 = cpu.getCurrentThreadCpuTime();
      for (Segment s : pool) {
        sink += repo.signature(s.getText())[0];
      }
      ownCpu = c1 - c0;
      repoCpu = cpu.getCurrentThreadCpuTime() - c1;
    }
    System.out.printf(Locale.ROOT, "signature CPU per segment: FillerIndex %.1f us, dedup/MinHash "
        + "%.1f us (64 permutations each; %d)%n", ownCpu / 1e3 / pool.size(),
        repoCpu / 1e3 / pool.size(), sink & 1);

    for (int round = 0; round < 2; round++) { // the first round warms the JIT up
      long t0 = System.nanoTime();
      long c0 = cpu.getCurrentThreadCpuTime();
      FillerIndex index = new FillerIndex(pool, 42);
      index.mostSimilar(List.of(index.signature(qa.get(0).getSegments().get(0).getText())), 1);
      long built = System.nanoTime() - t0;
      long builtCpu = cpu.getCurrentThreadCpuTime() - c0;
      String[] modes = {"random", "similar"};
      for (String mode : modes) {
        ContextAssembler assembler = new ContextAssembler(tok,
            base.with(FillerHardness.parse(mode, 0, true), 0));
        double[] hardness = new double[qa.size()];
        int made = 0;
        long t1 = System.nanoTime();
        long c1 = cpu.getCurrentThreadCpuTime();
        for (QaPair q : qa) {
          LongContextExample e = assembler.assemble(q, Kind.FINE_GRAINED, pool, index).example();
          if (e != null) {
            hardness[made++] = e.getHardness();
          }
        }
        long per = (System.nanoTime() - t1) / Math.max(1, qa.size());
        long perCpu = (cpu.getCurrentThreadCpuTime() - c1) / Math.max(1, qa.size());
        double[] h = Arrays.copyOf(hardness, made);
        Arrays.sort(h);
        if (round == 1) {
          System.out.printf(Locale.ROOT, "%-8s %4d examples  %7.2f ms/example (CPU %.2f ms)  "
              + "hardness mean %.4f  p10 %.4f  p50 %.4f  p90 %.4f  max %.4f%n", mode, made,
              per / 1e6, perCpu / 1e6,
              Arrays.stream(h).average().orElse(0), q(h, 0.1), q(h, 0.5), q(h, 0.9),
              h.length == 0 ? 0 : h[h.length - 1]);
        }
      }
      if (round == 1) {
        System.out.printf(Locale.ROOT, "index build (signatures + inverted index) for %,d "
            + "segments: %.0f ms (CPU %.0f ms), once per window and shard%n", pool.size(),
            built / 1e6, builtCpu / 1e6);
      }
    }
  }

  private static double q(double[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.round(q * (sorted.length - 1))];
  }
}
