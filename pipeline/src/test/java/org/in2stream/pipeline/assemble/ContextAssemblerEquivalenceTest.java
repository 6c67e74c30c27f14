package org.in2stream.pipeline.assemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.segment.Segmenter;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.TokenizerEquivalence;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.schema.Kind;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The assembler sums segment counts where the tokenizer makes that exact; this checks that it gives
 * exactly the results (examples, failures, depth misses) of the assembler that re-encoded every
 * draft, every truncation step and every prompt ({@link ReferenceAssembler}, kept as it was), for
 * the four tiktoken encodings and the Llama 3 Hugging Face tokenizer. The pools hold news-like
 * segments and segments built to put odd characters next to the blank-line separators and the
 * template: lines that start with '/', digits, quotes, CJK, emoji or non-breaking spaces and end in
 * punctuation, slashes or quotes; and hand-made segments that start or end with spaces, tabs or line
 * breaks (which must fall back to encoding).
 */
class ContextAssemblerEquivalenceTest {
  private static final String[] STARTS = {"", "/", "//", "\"", "'", "(", "7", "1999 ", "\u00A0",
      "\u3000", "-", "#", "\u201C", "\uD83D\uDE42", "\u65E5\u672C", "'s ", "...", ":", "*"};
  private static final String[] ENDS = {".", "?", "!\"", ")", ":", ",", "...", "/", "'", "'s",
      "42", "\u3002", "\uD83D\uDE42", " -", "\u00A0y", "etc.", "\"", ";", "./", ".\u00A0"};
  /** Texts glued around a sentence by hand: whitespace and line breaks at either end. */
  private static final String[][] ODD_EDGES = {{" ", ""}, {"", " "}, {"\t", "."}, {"", "\n"},
      {"\n", ""}, {"/", " "}, {"", "\r"}, {"", ".\n\n"}, {"  ", "  "}, {"\u2028", ""},
      {"", "\u00A0"}, {"", " \n"}};

  static Stream<String> specs() {
    return TestTexts.allTokenizerSpecs();
  }

  /** Template, placement, lengths, sequence limit and reserve of one group of examples. */
  private record Case(TrainingTemplate template, Placement placement, int min, int max,
      int maxSequence, int reserve, int examples) {
    AssembleContexts.Settings settings(String spec) {
      LengthDistribution lengths = LengthDistribution.uniform(min, max);
      int sequence = maxSequence > 0 ? maxSequence
          : org.in2stream.pipeline.config.Recipe.resolveMaxSequence(0, lengths, reserve);
      return new AssembleContexts.Settings(spec, template, 42, lengths, placement, sequence,
          reserve, 0.0, "test");
    }
  }

  private static final List<Case> CASES = List.of(
      new Case(TrainingTemplate.FILM_V1, Placement.SHUFFLE, 256, 4096, 0, 256, 24),
      new Case(TrainingTemplate.CHATML_V1, Placement.STRATIFIED, 1024, 8192, 0, 256, 18),
      // the sequence caps the target, so truncation steps run against the prompt limit
      new Case(TrainingTemplate.CHATML_V1, Placement.SHUFFLE, 6000, 12000, 5000, 300, 8),
      new Case(TrainingTemplate.FILM_V1, Placement.STRATIFIED, 2000, 3000, 2600, 200, 8),
      new Case(TrainingTemplate.FILM_V1, Placement.SHUFFLE, 32768, 32768, 0, 256, 3));

  @ParameterizedTest
  @MethodSource("specs")
  void summedCountsGiveTheExamplesThatReencodingGives(String spec) {
    TextTokenizer tok = Tokenizers.load(spec);
    Metered summing = new Metered(tok);
    Metered reencoding = new Metered(tok);
    List<Segment> pool = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      pool.addAll(TestTexts.segments("news-" + d, TestTexts.document(3000 + d, 6), d, tok));
      pool.addAll(segments("odd-" + d, stress(new SplittableRandom(d), 30), d, tok));
    }
    // Fillers with whitespace at their edges make the assembler encode; kept to a pool of their own
    // so that most examples are summed.
    List<Segment> withEdges = new ArrayList<>(pool);
    withEdges.addAll(oddSegments("edges", tok, new SplittableRandom(99)));
    int examples = 0;
    int failures = 0;
    for (Case c : CASES) {
      ContextAssembler assembler = new ContextAssembler(summing, c.settings(spec));
      ReferenceAssembler reference = new ReferenceAssembler(reencoding, c.settings(spec));
      for (int i = 0; i < c.examples(); i++) {
        Kind kind = Kind.values()[i % 3];
        QaPair q = qa("q-" + i, i, kind, tok);
        List<Segment> fillers = i % 4 == 3 ? withEdges : pool;
        ContextAssembler.Result expected = reference.run(q, kind, fillers);
        assertEquals(expected, assembler.assemble(q, kind, fillers), spec + " " + c + " #" + i);
        examples += expected.example() != null ? 1 : 0;
        failures += expected.failure() != null ? 1 : 0;
      }
      // A pool far too small: the same dead letter, message included.
      QaPair q = qa("small", 1, Kind.FINE_GRAINED, tok);
      assertEquals(reference.run(q, Kind.FINE_GRAINED, pool.subList(0, 6)),
          assembler.assemble(q, Kind.FINE_GRAINED, pool.subList(0, 6)), spec + " small pool");
    }
    assertTrue(examples >= 40, "most cases make an example, got " + examples + " and "
        + failures + " failures");
    String meters = "count() " + summing.countedChars + " vs " + reencoding.countedChars
        + " characters, tokenCharStarts() " + summing.offsetChars + " vs "
        + reencoding.offsetChars;
    if (spec.startsWith(Tokenizers.TIKTOKEN) || TokenizerEquivalence.isJavaPath(tok)) {
      // (hf: files on the Java path, Llama 3 and Qwen3 here, sum as tiktoken encodings do.)
      // Drafts and prompts are no longer encoded, only the blocks around segments that start with
      // '/' or a no-break space (common here on purpose); of the final contexts, only the blocks
      // that hold the answer's segments are.
      assertTrue(summing.countedChars * 4 < reencoding.countedChars, spec + ": " + meters);
      assertTrue(summing.offsetChars * 4 < reencoding.offsetChars, spec + ": " + meters);
    } else {
      assertEquals(reencoding.countedChars, summing.countedChars, "HF re-encodes: " + meters);
      assertEquals(reencoding.offsetChars, summing.offsetChars, "HF re-encodes: " + meters);
    }
  }

  @Test
  void aSegmentWhoseRecordedCountIsOffIsAssembledByReencoding() {
    TextTokenizer tok = TestTexts.tokenizer();
    List<Segment> pool = TestTexts.pool(120, 8);
    AssembleContexts.Settings settings = CASES.get(0).settings(tok.spec());
    ContextAssembler assembler = new ContextAssembler(tok, settings);
    ReferenceAssembler reference = new ReferenceAssembler(tok, settings);
    for (int i = 0; i < 6; i++) {
      QaPair good = qa("off-" + i, 40 + i, Kind.FINE_GRAINED, tok);
      Segment shown = good.getSegments().get(0);
      Segment off = Segment.newBuilder(shown).setTokens(shown.getTokens() + 1 + i % 2).build();
      QaPair q = QaPair.newBuilder(good).setSegments(List.of(off)).build();
      ContextAssembler.Result expected = reference.run(q, Kind.FINE_GRAINED, pool);
      assertNotNull(expected.example());
      assertEquals(expected, assembler.assemble(q, Kind.FINE_GRAINED, pool), "#" + i);
    }
  }

  @Test
  void templatesRenderTheirWordingUnchanged() {
    String film = TrainingTemplate.FILM_V1.render("C1\n\nC2", "Q?");
    assertEquals("[INST] Read the context below and answer the instruction that follows it, using "
        + "what the context says.\n\n### Context:\nC1\n\nC2\n\n### Instruction:\nQ? [/INST]", film);
    String chatml = TrainingTemplate.CHATML_V1.render("C1\n\nC2", "Q?");
    assertEquals("<|im_start|>system\nAnswer the question using what the context says.<|im_end|>\n"
        + "<|im_start|>user\n### Context:\nC1\n\nC2\n\n### Question:\nQ?<|im_end|>\n"
        + "<|im_start|>assistant\n", chatml);
    for (TrainingTemplate t : TrainingTemplate.values()) {
      // what lets the assembler sum a prompt: line breaks on both sides of the context
      assertTrue(t.contextPrefix().endsWith("\n"), t.id());
      assertTrue(t.contextSuffix("Q?").startsWith("\n"), t.id());
      assertFalse(Character.isWhitespace(t.contextSuffix("Q?").strip().charAt(0)), t.id());
    }
  }

  private static QaPair qa(String docId, int seed, Kind kind, TextTokenizer tok) {
    List<Segment> segs = seed % 2 == 0
        ? TestTexts.segments(docId, TestTexts.document(8000 + seed, 8), seed, tok)
        : segments(docId, stress(new SplittableRandom(500 + seed), 40), seed, tok);
    if (seed % 5 == 3) {
      segs = new ArrayList<>(segs);
      segs.addAll(oddSegments(docId, tok, new SplittableRandom(seed)).subList(0, 3));
      for (int i = 0; i < segs.size(); i++) {
        segs.set(i, Segment.newBuilder(segs.get(i)).setDocId(docId).setIndex(i).build());
      }
    }
    boolean multi = kind == Kind.MULTI_SEGMENT;
    List<Segment> shown = multi ? segs : List.of(segs.get(Math.min(1, segs.size() - 1)));
    List<Integer> needed = multi ? List.of(0, segs.size() - 1) : List.of(shown.get(0).getIndex());
    String[] questions = {"Which number?", "Where did it happen? \u65E5\u672C \uD83D\uDE42",
        "/ slash first?", "  spaced question  ", "\"Quoted\"?"};
    return QaPair.newBuilder().setRequestKey("key-" + docId + "-" + seed + "-" + kind)
        .setKind(multi ? Kind.MULTI_SEGMENT : Kind.FINE_GRAINED).setDocId(docId)
        .setQuestion(questions[seed % questions.length]).setAnswer("The answer.")
        .setSegments(shown).setNeededSegmentIndexes(needed).setModel("m").setPromptVersion("p")
        .setSource(TestTexts.source(seed)).build();
  }

  /** Segments as the pipeline makes them (small budgets, so segments are many and short). */
  private static List<Segment> segments(String docId, String text, long offset,
      TextTokenizer tok) {
    List<Segment> out = new ArrayList<>();
    List<Segmenter.Piece> pieces = new Segmenter(tok, 48, 160).segment(text);
    for (int i = 0; i < pieces.size(); i++) {
      out.add(Segment.newBuilder().setDocId(docId).setIndex(i).setText(pieces.get(i).text())
          .setTokens(pieces.get(i).tokens()).setSource(TestTexts.source(offset)).build());
    }
    return out;
  }

  /** Segments no segmenter makes: whitespace or line breaks at their edges; counts exact. */
  private static List<Segment> oddSegments(String docId, TextTokenizer tok, SplittableRandom rng) {
    List<Segment> out = new ArrayList<>();
    for (int i = 0; i < ODD_EDGES.length; i++) {
      String text = ODD_EDGES[i][0] + TestTexts.paragraph(rng, 3) + ODD_EDGES[i][1];
      out.add(Segment.newBuilder().setDocId(docId).setIndex(i).setText(text)
          .setTokens(tok.count(text)).setSource(TestTexts.source(i)).build());
    }
    return out;
  }

  private static String line(SplittableRandom rng) {
    String body = TestTexts.sentence(rng);
    if (rng.nextInt(3) == 0) {
      body = body + (rng.nextBoolean() ? " " : "\u00A0") + TestTexts.sentence(rng);
    }
    return STARTS[rng.nextInt(STARTS.length)] + body + ENDS[rng.nextInt(ENDS.length)];
  }

  private static String stress(SplittableRandom rng, int lines) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      sb.append(line(rng)).append(rng.nextInt(5) == 0 ? "\n\n" : "\n");
    }
    return sb.toString();
  }

  /**
   * Passes everything to {@code inner} and adds up the characters of the texts it encodes; inside
   * countBeforeLine a tiktoken tokenizer encodes only the text's tail, counted here as the
   * separator's length.
   */
  private static final class Metered implements TextTokenizer {
    private final TextTokenizer inner;
    /** Characters given to count (and, as their separators only, to countBeforeLine). */
    long countedChars;
    /** Characters given to tokenCharStarts. */
    long offsetChars;

    Metered(TextTokenizer inner) {
      this.inner = inner;
    }

    @Override
    public String spec() {
      return inner.spec();
    }

    @Override
    public int count(String text) {
      countedChars += text.length();
      return inner.count(text);
    }

    @Override
    public int[] tokenCharStarts(String text) {
      offsetChars += text.length();
      return inner.tokenCharStarts(text);
    }

    @Override
    public boolean additiveAfterLineBreak(String next) {
      return inner.additiveAfterLineBreak(next);
    }

    @Override
    public boolean additive(String left, String right) {
      return inner.additive(left, right);
    }

    @Override
    public int countWithNewline(String text, int tokens) {
      return inner.countWithNewline(text, tokens);
    }

    /** Only the tail of {@code text} is encoded inside; counted as the separator's length. */
    @Override
    public int countBeforeLine(String text, int tokens, String separator) {
      countedChars += separator.length();
      return inner.countBeforeLine(text, tokens, separator);
    }
  }
}
