package org.in2stream.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.in2stream.pipeline.assemble.AssembleContexts;
import org.in2stream.pipeline.assemble.LengthDistribution;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.assemble.TrainingTemplate;
import org.in2stream.pipeline.config.Recipe;
import org.in2stream.pipeline.segment.Segmenter;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Segment;
import org.in2stream.schema.Source;

/** Deterministic synthetic text for tests: sentences with numbers and invented names. */
public final class TestTexts {
  private static final String[] SYLLABLES = {"ka", "lo", "mir", "ten", "va", "rus", "el", "do",
      "shan", "qui", "bor", "nel", "tam", "yo", "fer", "gal"};
  private static final String[] VERBS = {"approved", "reported", "measured", "announced",
      "recorded", "inspected", "delayed", "funded"};
  private static final String[] NOUNS = {"bridges", "samples", "tickets", "permits", "turbines",
      "classrooms", "orchards", "vessels"};

  private TestTexts() {}

  public static TextTokenizer tokenizer() {
    return Tokenizers.load(Tokenizers.DEFAULT_SPEC);
  }

  /**
   * Every tokenizer the equivalence tests cover: four tiktoken encodings and the HF files of
   * Llama 3 and Qwen3.
   */
  public static java.util.stream.Stream<String> allTokenizerSpecs() {
    return java.util.stream.Stream.of("tiktoken:cl100k_base", "tiktoken:o200k_base",
        "tiktoken:p50k_base", "tiktoken:r50k_base", hfSpec(), qwenSpec());
  }

  /**
   * The spec of the real Llama 3 {@code tokenizer.json} that the build fetches before the tests
   * ({@code scripts/fetch-hf-tokenizer.sh}, passed as the system property {@code in2.hfTokenizer}).
   * Fails, never skips, when it is missing or is not the pinned file.
   */
  public static String hfSpec() {
    return fetchedSpec("Llama 3", "in2.hfTokenizer");
  }

  /** The same for Qwen3's {@code tokenizer.json} (system property {@code in2.qwenTokenizer}). */
  public static String qwenSpec() {
    return fetchedSpec("Qwen3", "in2.qwenTokenizer");
  }

  private static String fetchedSpec(String what, String property) {
    String path = System.getProperty(property);
    if (path == null || !Files.isRegularFile(Path.of(path))) {
      throw new IllegalStateException("the " + what + " tokenizer.json is missing (system property "
          + property + "=" + path + "); run the tests through Maven, which fetches it with "
          + "scripts/fetch-hf-tokenizer.sh");
    }
    String expected = System.getProperty(property + "Sha256");
    try {
      String actual = Hashing.sha256Hex(Files.readAllBytes(Path.of(path)));
      if (expected != null && !expected.equals(actual)) {
        throw new IllegalStateException(path + " has SHA-256 " + actual + ", expected " + expected);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Tokenizers.HF + path;
  }

  public static String name(SplittableRandom rng) {
    StringBuilder sb = new StringBuilder();
    int n = 2 + rng.nextInt(2);
    for (int i = 0; i < n; i++) {
      sb.append(SYLLABLES[rng.nextInt(SYLLABLES.length)]);
    }
    return Character.toUpperCase(sb.charAt(0)) + sb.substring(1);
  }

  public static String sentence(SplittableRandom rng) {
    return "On day " + (1 + rng.nextInt(28)) + " the office of " + name(rng) + " in "
        + name(rng) + " " + VERBS[rng.nextInt(VERBS.length)] + " " + (2 + rng.nextInt(9000))
        + " " + NOUNS[rng.nextInt(NOUNS.length)] + " for the " + name(rng) + " district.";
  }

  public static String paragraph(SplittableRandom rng, int sentences) {
    List<String> s = new ArrayList<>();
    for (int i = 0; i < sentences; i++) {
      s.add(sentence(rng));
    }
    return String.join(" ", s);
  }

  /** A document of {@code paragraphs} paragraphs of 2-4 sentences each. */
  public static String document(long seed, int paragraphs) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<String> p = new ArrayList<>();
    for (int i = 0; i < paragraphs; i++) {
      p.add(paragraph(rng, 2 + rng.nextInt(3)));
    }
    return String.join("\n", p);
  }

  public static Source source(long offset) {
    return new Source("docs", 0, offset, 1_700_000_000_000L + offset);
  }

  /** The segments of a synthetic document, as the pipeline would make them. */
  public static List<Segment> segments(String docId, String text, long offset) {
    return segments(docId, text, offset, tokenizer());
  }

  /** The same, counted with {@code tokenizer}. */
  public static List<Segment> segments(String docId, String text, long offset,
      TextTokenizer tokenizer) {
    Segmenter segmenter = new Segmenter(tokenizer, 128, 512);
    List<Segment> out = new ArrayList<>();
    List<Segmenter.Piece> pieces = segmenter.segment(text);
    for (int i = 0; i < pieces.size(); i++) {
      out.add(Segment.newBuilder().setDocId(docId).setIndex(i).setText(pieces.get(i).text())
          .setTokens(pieces.get(i).tokens()).setSource(source(offset)).build());
    }
    return out;
  }

  /** Assembler settings with the given lengths and placement, FILM template, seed 42. */
  public static AssembleContexts.Settings settings(String tokenizerSpec, LengthDistribution lengths,
      Placement placement, double shortContextRate) {
    return new AssembleContexts.Settings(tokenizerSpec, TrainingTemplate.FILM_V1, 42, lengths,
        placement, Recipe.resolveMaxSequence(0, lengths, 256), 256, shortContextRate, "test");
  }

  /** A filler pool of segments of {@code docs} synthetic documents. */
  public static List<Segment> pool(int docs, long seed) {
    List<Segment> pool = new ArrayList<>();
    for (int d = 0; d < docs; d++) {
      pool.addAll(segments("filler-" + d, document(seed * 7919 + d, 6), 1000 + d));
    }
    return pool;
  }
}
