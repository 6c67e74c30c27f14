package org.in2stream.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.in2stream.pipeline.segment.Segmenter;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Row 1. One operation is one pass over the same documents: {@code segment} runs the pipeline's
 * {@link Segmenter} (IN2 Algorithm 1 with the sentence split), {@code countTokens} only counts each
 * document's tokens with the same tokenizer, the limit any token-exact segmenter has to pay once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SegmentationBench {
  @Param("")
  public String corpus;

  @Param("tiktoken:cl100k_base")
  public String tokenizer;

  @Param("200")
  public int docs;

  private List<String> texts;
  private TextTokenizer tok;
  private Segmenter segmenter;

  @Setup
  public void setup() {
    texts = Corpus.texts(corpus, docs);
    tok = Tokenizers.load(tokenizer);
    segmenter = new Segmenter(tok, 128, 512);
  }

  @Benchmark
  public int segment(CpuCounter cpu) {
    int n = 0;
    for (String t : texts) {
      n += segmenter.segment(t).size();
    }
    cpu.count();
    return n;
  }

  @Benchmark
  public long countTokens(CpuCounter cpu) {
    long n = 0;
    for (String t : texts) {
      n += tok.count(t);
    }
    cpu.count();
    return n;
  }
}
