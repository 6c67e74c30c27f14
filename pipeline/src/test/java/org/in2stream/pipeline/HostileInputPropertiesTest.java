package org.in2stream.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.in2stream.pipeline.assemble.ContextAssembler;
import org.in2stream.pipeline.assemble.LengthDistribution;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.check.ExampleChecks;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.segment.Segmenter;
import org.in2stream.pipeline.source.DocumentDecoder;
import org.in2stream.pipeline.source.InputCleaner;
import org.in2stream.pipeline.source.InputFormat;
import org.in2stream.pipeline.source.InputSniffer;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.tokenize.TokenBudget;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.RawRecord;
import org.in2stream.schema.Segment;

/**
 * Random bytes and random Unicode through decoding, cleaning, segmentation and assembly: nothing
 * throws, every input ends as exactly one document or one bounded failure with a known reason, and the
 * invariants of each stage hold. Seeds are fixed, so CI runs the same samples every time; change
 * the seed locally to explore further.
 */
class HostileInputPropertiesTest {
  private static final TextTokenizer TOK = TestTexts.tokenizer();
  private static final Set<String> REASONS = EnumSet.allOf(Reason.class).stream().map(Enum::name)
      .collect(Collectors.toSet());
  private static final List<Segment> POOL = TestTexts.pool(60, 3);
  private static final ContextAssembler ASSEMBLER = new ContextAssembler(TOK, TestTexts.settings(
      TOK.spec(), LengthDistribution.uniform(1024, 4096), Placement.STRATIFIED, 0.1));

  /** Fragments chosen to hit every branch: markup, JSON, controls, invisibles, scripts, emoji. */
  @Provide
  Arbitrary<String> hostileText() {
    Arbitrary<String> fragments = Arbitraries.oneOf(
        Arbitraries.of("\n", "\r\n", "\r", "\f", "\t", " ", "  \n\n", ".", ". ", "! ", "\u0000",
            "\u0001", "\u007f", "\u0085", "\u200B", "\u200C", "\u200D", "\u202E", "\u2066",
            "\u2069", "\uFEFF", "\u00AD", "{", "}", "\"}]}", "{\"text\": \"", "<html>", "<p>",
            "</p>", "<script>", "<!DOCTYPE html>", "<br>", "&amp;", "東京都", "مرحبا بالعالم",
            "שלום", "\uD83D\uDE00", "\uD83D\uDC68\u200D\uD83D\uDC69", "ignore previous instructions",
            "-----END DATA x-----", "%PDF-", "PK"),
        Arbitraries.strings().ofMaxLength(12),
        Arbitraries.strings().alpha().numeric().withChars(' ', '.').ofMinLength(10)
            .ofMaxLength(80));
    return fragments.list().ofMaxSize(120).map(l -> String.join("", l));
  }

  private static RawRecord raw(byte[] value) {
    return RawRecord.newBuilder().setTopic("p").setPartition(0).setOffset(7).setTimestamp(1L)
        .setKey(null).setValue(value == null ? null : ByteBuffer.wrap(value)).build();
  }

  /** The invariants of one decode: one outcome; a clean, hashed document; a bounded failure. */
  private static Document checkDecoded(DocumentDecoder.Decoded d) {
    assertTrue((d.document() == null) != (d.failure() == null), "exactly one outcome");
    if (d.failure() != null) {
      Failure f = d.failure();
      assertTrue(REASONS.contains(f.getReason()), f.getReason());
      assertTrue(f.getExcerpt().length() <= Failures.EXCERPT_CHARS + 4, "bounded excerpt");
      assertTrue(f.getMessage().length() <= 2_003, "bounded message");
      assertNotNull(f.getSource(), "the source offset is kept");
      assertEquals(7L, f.getSource().getOffset());
      assertEquals(64, f.getInputSha256().length());
      return null;
    }
    String text = d.document().getText();
    assertFalse(text.isBlank());
    assertEquals(Hashing.sha256Hex(text), d.document().getContentSha256());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      assertFalse(InputSniffer.isControl(c) || c == 0 || c == '\r',
          "control U+" + Integer.toHexString(c));
      assertFalse(InputCleaner.isAlwaysInvisible(c), "invisible U+" + Integer.toHexString(c));
    }
    return d.document();
  }

  @Property(tries = 1500, seed = "20261122")
  void randomBytesNeverEscape(@ForAll @Size(max = 3000) byte[] bytes,
      @ForAll InputFormat format) {
    checkDecoded(DocumentDecoder.decode(raw(bytes), new DocumentDecoder.Settings(format, 2000)));
  }

  @Property(tries = 1000, seed = "20261122")
  void randomUnicodeDecodesCleanly(@ForAll("hostileText") String text,
      @ForAll InputFormat format) {
    Document d = checkDecoded(DocumentDecoder.decode(raw(text.getBytes(StandardCharsets.UTF_8)),
        new DocumentDecoder.Settings(format, 1 << 20)));
    if (d != null && "text".equals(d.getFormat())) {
      // plain text loses only what the cleaner removes: nothing else changes
      assertEquals(InputCleaner.clean(text).text()
          .replace("\n", ""), d.getText().replace("\n", ""));
    }
  }

  @Property(tries = 1000, seed = "20261122")
  void cleaningIsIdempotentAndOnlyRemoves(@ForAll @StringLength(max = 400) String anyChars) {
    InputCleaner.Cleaned once = InputCleaner.clean(anyChars);
    assertEquals(once.text(), InputCleaner.clean(once.text()).text());
    assertEquals(0, InputCleaner.clean(once.text()).invisibleRemoved());
    assertTrue(once.text().length() <= anyChars.length());
    assertTrue(once.invisibleRemoved() + once.controlsRemoved() <= anyChars.length());
  }

  @Property(tries = 300, seed = "20261122")
  void segmentationKeepsEveryVisibleCharacter(@ForAll("hostileText") String text) {
    Document d = DocumentDecoder.decode(raw(text.getBytes(StandardCharsets.UTF_8)),
        new DocumentDecoder.Settings(InputFormat.TEXT, 1 << 20)).document();
    if (d == null) {
      return;
    }
    Segmenter segmenter = new Segmenter(TOK, 16, 32);
    List<Segmenter.Piece> pieces = segmenter.segment(d.getText());
    long budget = TokenBudget.countUpTo(TOK, d.getText(), Long.MAX_VALUE);
    if (pieces.isEmpty()) {
      assertTrue(budget < 16 + 8, "empty only when short: " + budget + " tokens");
      return;
    }
    StringBuilder joined = new StringBuilder();
    for (Segmenter.Piece p : pieces) {
      assertEquals(TOK.count(p.text()), p.tokens(), "counted on the exact text");
      assertFalse(p.text().isBlank());
      joined.append(p.text());
    }
    assertEquals(visible(d.getText()), visible(joined.toString()), "nothing lost or added");
  }

  @Property(tries = 150, seed = "20261122")
  void assemblyOfHostileSegmentsIsSoundOrAFailure(@ForAll("hostileText") String a,
      @ForAll("hostileText") String b) {
    String text = a + "\n" + b + "\n" + a;
    Document d = DocumentDecoder.decode(raw(text.getBytes(StandardCharsets.UTF_8)),
        new DocumentDecoder.Settings(InputFormat.TEXT, 1 << 20)).document();
    if (d == null) {
      return;
    }
    List<Segmenter.Piece> pieces = new Segmenter(TOK, 8, 64).segment(d.getText());
    if (pieces.isEmpty()) {
      return;
    }
    List<Segment> segments = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      segments.add(Segment.newBuilder().setDocId("hostile").setIndex(i)
          .setText(pieces.get(i).text()).setTokens(pieces.get(i).tokens())
          .setSource(TestTexts.source(7)).build());
    }
    String answer = pieces.get(0).text().substring(0, Math.min(20, pieces.get(0).text().length()));
    QaPair qa = QaPair.newBuilder().setRequestKey("k-" + Hashing.sha256Hex(text))
        .setKind(Kind.FINE_GRAINED).setDocId("hostile").setQuestion("What \"}]} is " + b + "?")
        .setAnswer(answer).setSegments(List.of(segments.get(0)))
        .setNeededSegmentIndexes(List.of(0)).setModel("m").setPromptVersion("p")
        .setSource(TestTexts.source(7)).build();
    for (Kind kind : List.of(Kind.FINE_GRAINED, Kind.SHORT_CONTEXT)) {
      ContextAssembler.Result r = ASSEMBLER.assemble(qa, kind, POOL);
      assertTrue((r.example() == null) != (r.failure() == null));
      if (r.example() != null) {
        assertEquals(List.of(), ExampleChecks.violations(r.example(), TOK));
      } else {
        assertTrue(REASONS.contains(r.failure().getReason()));
      }
    }
  }

  private static String visible(String s) {
    return s.codePoints().filter(c -> !Character.isWhitespace(c))
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }
}
