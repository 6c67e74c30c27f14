package org.in2stream.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.in2stream.pipeline.tokenize.MixedText;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.TokenizerEquivalence;
import org.in2stream.pipeline.tokenize.Tokenizers;

/**
 * Target-model tokenizers: for each {@code --spec=hf:...}, the Java encoding checked against DJL's
 * binding of the Rust library on at least {@code --mb} MB of generated mixed text (token ids, char
 * starts, counts: the number of mismatched texts is printed and must be 0), then the counting speed
 * of the Java path, of DJL and of jtokkit's cl100k_base on the same text (and on the benchmark
 * corpus's news-like documents with {@code --corpus=DIR}), one thread, CPU time. Exits 1 on any
 * mismatch.
 *
 * <pre>
 * TokenizerBench --spec=hf:/path/llama3/tokenizer.json [--spec=...] [--mb=10] [--corpus=DIR]
 * </pre>
 */
public final class TokenizerBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private TokenizerBench() {}

  public static void main(String[] args) {
    List<String> specs = new ArrayList<>();
    double mb = 10;
    String corpus = null;
    for (String a : args) {
      if (a.startsWith("--spec=")) {
        specs.add(a.substring(7));
      } else if (a.startsWith("--mb=")) {
        mb = Double.parseDouble(a.substring(5));
      } else if (a.startsWith("--corpus=")) {
        corpus = a.substring(9);
      } else {
        throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("at least one --spec=hf:/path/to/tokenizer.json");
    }
    List<String> mixed = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; bytes < mb * 1_000_000; i++) {
      String d = MixedText.documents(15 + i, 1, 4_000).get(0);
      mixed.add(d);
      bytes += d.getBytes(StandardCharsets.UTF_8).length;
    }
    System.out.printf(Locale.ROOT, "mixed text: %d documents, %.1f MB UTF-8%n", mixed.size(),
        bytes / 1e6);
    boolean ok = true;
    for (String spec : specs) {
      long t0 = THREADS.getCurrentThreadCpuTime();
      TextTokenizer java = Tokenizers.load(spec);
      double loadJava = (THREADS.getCurrentThreadCpuTime() - t0) / 1e9;
      t0 = THREADS.getCurrentThreadCpuTime();
      Tokenizers.loadThroughDjl(spec);
      double loadDjl = (THREADS.getCurrentThreadCpuTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT,
          "%s: Java path %s, load %.2f s CPU (DJL load %.2f s CPU of this thread)%n", spec,
          TokenizerEquivalence.isJavaPath(java) ? "yes" : "NO (fallback to DJL)", loadJava,
          loadDjl);
      if (!TokenizerEquivalence.isJavaPath(java)) {
        ok = false;
        continue;
      }
      t0 = System.nanoTime();
      TokenizerEquivalence.Result r = TokenizerEquivalence.check(spec, mixed);
      System.out.printf(Locale.ROOT, "equivalence (%.0f s): %s%n", (System.nanoTime() - t0) / 1e9,
          r);
      ok &= r.mismatchedTexts() == 0;
    }
    TextTokenizer cl100k = Tokenizers.load("tiktoken:cl100k_base");
    speeds("mixed text", mixed, bytes, specs, cl100k);
    if (corpus != null) {
      List<String> news = Corpus.texts(corpus, Integer.MAX_VALUE);
      speeds("benchmark corpus (" + news.size() + " documents)", news, Corpus.utf8Bytes(news),
          specs, cl100k);
    }
    System.out.println(ok ? "RESULT: no mismatch" : "RESULT: MISMATCH");
    System.exit(ok ? 0 : 1);
  }

  private static void speeds(String what, List<String> texts, long bytes, List<String> specs,
      TextTokenizer cl100k) {
    System.out.printf(Locale.ROOT, "counting speed on %s, %.1f MB, one thread (CPU time):%n",
        what, bytes / 1e6);
    double base = rate("tiktoken:cl100k_base (jtokkit)", cl100k, texts, bytes, 0);
    for (String spec : specs) {
      String name = spec.substring(spec.lastIndexOf('/', spec.lastIndexOf('/') - 1) + 1);
      // The Java path caches merged pieces (as the Rust library does): a new instance shows the
      // first pass with an empty cache, the shared one the steady state.
      TextTokenizer fresh = TokenizerEquivalence.newJavaPath(spec);
      long c0 = THREADS.getCurrentThreadCpuTime();
      long n = 0;
      for (String t : texts) {
        n += fresh.count(t);
      }
      double cold = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
      System.out.printf(Locale.ROOT, "  %-46s %,12d tokens  %6.2f M tokens/s  %6.1f MB/s%n",
          name + " Java path, empty cache", n, n / cold / 1e6, bytes / 1e6 / cold);
      rate(name + " Java path", Tokenizers.load(spec), texts, bytes, base);
      rate(name + " DJL", Tokenizers.loadThroughDjl(spec), texts, bytes, base);
    }
  }

  /** Tokens/s of {@code tok} over the texts: one warm-up pass, then the best of three. */
  private static double rate(String name, TextTokenizer tok, List<String> texts, long bytes,
      double base) {
    long tokens = 0;
    for (String t : texts) {
      tokens += tok.count(t);
    }
    long best = Long.MAX_VALUE;
    for (int rep = 0; rep < 3; rep++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      long n = 0;
      for (String t : texts) {
        n += tok.count(t);
      }
      best = Math.min(best, THREADS.getCurrentThreadCpuTime() - c0);
      if (n != tokens) {
        throw new IllegalStateException(name + " counted differently on a second pass");
      }
    }
    double seconds = best / 1e9;
    double rate = tokens / seconds;
    double mbPerS = bytes / 1e6 / seconds;
    System.out.printf(Locale.ROOT, "  %-46s %,12d tokens  %6.2f M tokens/s  %6.1f MB/s%s%n", name,
        tokens, rate / 1e6, mbPerS, base > 0 ? String.format(Locale.ROOT,
            "  time %.2fx cl100k's", base / mbPerS) : "");
    return base > 0 ? rate : mbPerS;
  }
}
