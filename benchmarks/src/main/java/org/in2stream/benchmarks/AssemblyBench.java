package org.in2stream.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.in2stream.pipeline.assemble.AssembleContexts;
import org.in2stream.pipeline.assemble.ContextAssembler;
import org.in2stream.pipeline.assemble.LengthDistribution;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.assemble.TrainingTemplate;
import org.in2stream.pipeline.config.Recipe;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
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
 * Row 2. {@code assemble}: one {@link ContextAssembler#assemble} of a FINE_GRAINED example with a
 * 32,768-token target from a pool of the corpus's segments (single thread, so per core).
 * {@code encodeOnly}: the limit, Avro binary encoding of an already assembled example of the same size
 * plus deflate level 6 (the codec of the Avro files the pipeline writes), nothing else.
 * {@link CpuCounter} counts the thread's CPU time per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AssemblyBench {
  @Param("")
  public String corpus;

  @Param("tiktoken:cl100k_base")
  public String tokenizer;

  @Param("32768")
  public int contextTokens;

  @Param("400")
  public int docs;

  private List<Segment> pool;
  private List<QaPair> qa;
  private ContextAssembler assembler;
  private List<LongContextExample> examples;
  private int next;

  private final SpecificDatumWriter<LongContextExample> writer =
      new SpecificDatumWriter<>(LongContextExample.class);
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 20);
  private final Deflater deflater = new Deflater(6, true);
  private final byte[] out = new byte[1 << 16];
  private BinaryEncoder encoder;

  @Setup
  public void setup() {
    TextTokenizer tok = Tokenizers.load(tokenizer);
    List<List<Segment>> segmented = Corpus.segmented(Corpus.texts(corpus, docs), tok);
    pool = new ArrayList<>();
    qa = new ArrayList<>();
    for (List<Segment> doc : segmented) {
      pool.addAll(doc);
      if (doc.size() >= 2) {
        Segment shown = doc.get(1);
        qa.add(QaPair.newBuilder().setRequestKey("bench-" + shown.getDocId())
            .setKind(Kind.FINE_GRAINED).setDocId(shown.getDocId())
            .setQuestion("Which number did the report give?").setAnswer("42")
            .setSegments(List.of(shown)).setNeededSegmentIndexes(List.of(shown.getIndex()))
            .setModel("bench").setPromptVersion("bench").setSource(shown.getSource()).build());
      }
    }
    LengthDistribution lengths = LengthDistribution.uniform(contextTokens, contextTokens);
    assembler = new ContextAssembler(tok, new AssembleContexts.Settings(tokenizer,
        TrainingTemplate.FILM_V1, 42, lengths, Placement.SHUFFLE,
        Recipe.resolveMaxSequence(0, lengths, 256), 256, 0.0, "bench"));
    examples = new ArrayList<>();
    for (int i = 0; i < Math.min(qa.size(), 32); i++) {
      LongContextExample e = assembler.assemble(qa.get(i), Kind.FINE_GRAINED, pool).example();
      if (e == null) {
        throw new IllegalStateException("pool too small for " + contextTokens + " tokens");
      }
      examples.add(e);
    }
  }

  @Benchmark
  public LongContextExample assemble(CpuCounter cpu) {
    QaPair q = qa.get(next++ % qa.size());
    LongContextExample e = assembler.assemble(q, Kind.FINE_GRAINED, pool).example();
    cpu.count();
    return e;
  }

  @Benchmark
  public long encodeOnly(CpuCounter cpu) throws IOException {
    LongContextExample e = examples.get(next++ % examples.size());
    buffer.reset();
    encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
    writer.write(e, encoder);
    encoder.flush();
    deflater.reset();
    deflater.setInput(buffer.toByteArray());
    deflater.finish();
    long n = 0;
    while (!deflater.finished()) {
      n += deflater.deflate(out);
    }
    cpu.count();
    return n;
  }
}
