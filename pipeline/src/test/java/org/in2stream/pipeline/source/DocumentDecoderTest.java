package org.in2stream.pipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.RawRecord;
import org.junit.jupiter.api.Test;

class DocumentDecoderTest {
  static RawRecord raw(long offset, byte[] key, byte[] value) {
    return RawRecord.newBuilder().setTopic("t").setPartition(1).setOffset(offset)
        .setTimestamp(1000 + offset).setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value)).build();
  }

  static RawRecord raw(long offset, String value) {
    return raw(offset, null, value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void plainTextGetsAContentId() {
    Document d = DocumentDecoder.decode(raw(5, "Hello\r\nworld")).document();
    assertEquals("Hello\nworld", d.getText());
    assertTrue(d.getId().startsWith("c-"));
    assertEquals(5, d.getSource().getOffset());
    assertEquals(1005, d.getSource().getTimestamp());
    assertEquals(d.getId(), DocumentDecoder.decode(raw(99, "Hello\r\nworld")).document().getId(),
        "the id does not depend on where the record was read");
  }

  @Test
  void jsonGivesIdAndUrl() {
    Document d = DocumentDecoder.decode(
        raw(1, "{\"id\": \"a-1\", \"url\": \"https://x.example/1\", \"text\": \"Body\"}"))
        .document();
    assertEquals("a-1", d.getId());
    assertEquals("https://x.example/1", d.getUrl());
    assertEquals("Body", d.getText());
    Document byUrl = DocumentDecoder.decode(
        raw(2, "{\"url\": \"https://x.example/1\", \"text\": \"Body\"}")).document();
    assertTrue(byUrl.getId().startsWith("u-"));
  }

  @Test
  void keyIsUsedWhenThereIsNoIdOrUrl() {
    Document d = DocumentDecoder.decode(raw(1, "file-1.txt".getBytes(StandardCharsets.UTF_8),
        "text".getBytes(StandardCharsets.UTF_8))).document();
    assertTrue(d.getId().startsWith("k-"));
  }

  @Test
  void badValuesBecomeFailuresWithReasons() {
    assertReason(Reason.NULL_VALUE, raw(1, null, null));
    assertReason(Reason.INVALID_UTF8, raw(2, null, new byte[] {'o', 'k', (byte) 0xC3, 0x28}));
    assertReason(Reason.EMPTY, raw(3, " \n\t "));
    assertReason(Reason.INVALID_JSON, raw(4, "{\"text\": \"unterminated"));
    assertReason(Reason.MISSING_TEXT, raw(5, "{\"body\": \"no text field\"}"));
    assertReason(Reason.EMPTY, raw(6, "{\"text\": \"   \"}"));
  }

  @Test
  void invalidBytesAreShownEscapedInTheExcerpt() {
    Failure f = DocumentDecoder.decode(raw(2, null, new byte[] {'o', 'k', (byte) 0xFF})).failure();
    assertEquals("ok\\xff", f.getExcerpt());
    assertEquals(3, f.getInputBytes());
    assertEquals("t", f.getSource().getTopic());
  }

  @Test
  void aByteOrderMarkIsNotContent() {
    Document d = DocumentDecoder.decode(raw(1, "\uFEFFText")).document();
    assertEquals("Text", d.getText());
  }

  @Test
  void hostileValuesEndWithTheirReason() {
    assertReason(Reason.BINARY, raw(1, null, new byte[] {'a', 0, 'b'}));
    assertReason(Reason.BINARY, raw(2, null, "%PDF-1.7\n1 0 obj".getBytes(StandardCharsets.UTF_8)));
    assertReason(Reason.BINARY, raw(3, null, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n',
        0x1a, '\n', 1, 2}));
    assertReason(Reason.BINARY, raw(4, null, new byte[] {'P', 'K', 3, 4, 20, 0}));
    assertReason(Reason.BINARY, raw(5, "text\u0001\u0002\u0003\u0004 with controls"));
    assertReason(Reason.EMPTY_AFTER_CLEANING, raw(6, "\u200B\u200B\u202E\u2066"));
    assertReason(Reason.EMPTY_AFTER_CLEANING,
        raw(7, "<html><body><script>var x = 1;</script></body></html>"));
    assertReason(Reason.INVALID_UTF16, raw(8, null, new byte[] {(byte) 0xFF, (byte) 0xFE, 0x00,
        (byte) 0xD8, 'a', 0}));
    assertReason(Reason.EMPTY, raw(9, null, new byte[0]));
  }

  @Test
  void valuesAboveTheByteLimitAreNotDecoded() {
    byte[] big = new byte[10_000];
    java.util.Arrays.fill(big, (byte) 0xFF); // not UTF-8 either: the size check comes first
    DocumentDecoder.Decoded d = DocumentDecoder.decode(raw(1, null, big),
        new DocumentDecoder.Settings(InputFormat.AUTO, 9_999));
    assertEquals("DOCUMENT_TOO_LARGE", d.failure().getReason());
    assertEquals(10_000, d.failure().getInputBytes());
    assertTrue(d.failure().getExcerpt().length() <= 512 * 4 + 4);
    assertNotNull(DocumentDecoder.decode(raw(1, "x".repeat(10_000)),
        new DocumentDecoder.Settings(InputFormat.AUTO, 10_000)).document());
  }

  @Test
  void utf16WithAByteOrderMarkIsDecoded() {
    String text = "Grüße aus Köln, 東京 und 😀";
    for (java.nio.charset.Charset cs : java.util.List.of(StandardCharsets.UTF_16BE,
        StandardCharsets.UTF_16LE)) {
      byte[] body = text.getBytes(cs);
      byte[] bom = cs == StandardCharsets.UTF_16BE ? new byte[] {(byte) 0xFE, (byte) 0xFF}
          : new byte[] {(byte) 0xFF, (byte) 0xFE};
      byte[] all = new byte[bom.length + body.length];
      System.arraycopy(bom, 0, all, 0, 2);
      System.arraycopy(body, 0, all, 2, body.length);
      assertEquals(text, DocumentDecoder.decode(raw(1, null, all)).document().getText());
    }
  }

  @Test
  void invisibleCharactersAreRemovedAndCounted() {
    DocumentDecoder.Decoded d = DocumentDecoder.decode(raw(1, "pay\u200Bpal \u202Egnp.exe\u202C ok"));
    assertEquals("paypal gnp.exe ok", d.document().getText());
    assertEquals(3, d.invisibleRemoved());
    assertEquals(d.document().getContentSha256(),
        DocumentDecoder.decode(raw(2, "paypal gnp.exe ok")).document().getContentSha256(),
        "hidden characters do not make a duplicate look new");
  }

  @Test
  void htmlIsDetectedOrForcedAndJsonCarriesItsFields() {
    String page = "<!DOCTYPE html><html><head><title>T</title><style>p{}</style></head><body>"
        + "<p>First paragraph.</p><div hidden>secret instructions</div><p>Second <b>bold</b>"
        + " one.</p><script>alert(1)</script></body></html>";
    Document d = DocumentDecoder.decode(raw(1, page)).document();
    assertEquals("First paragraph.\nSecond bold one.", d.getText());
    assertEquals("html", d.getFormat());
    Document asText = DocumentDecoder.decode(raw(1, page),
        new DocumentDecoder.Settings(InputFormat.TEXT, 1 << 20)).document();
    assertTrue(asText.getText().contains("<script>"), "--inputFormat=text keeps markup as text");
    Document forced = DocumentDecoder.decode(raw(1, "<p>a</p><p>b</p>"),
        new DocumentDecoder.Settings(InputFormat.HTML, 1 << 20)).document();
    assertEquals("a\nb", forced.getText());
    Document json = DocumentDecoder.decode(raw(2, "{\"text\": \"Body\", \"lang\": \"de\", "
        + "\"fetched_at\": \"2026-01-02T03:04:05Z\"}")).document();
    assertEquals("de", json.getLang());
    assertEquals("2026-01-02T03:04:05Z", json.getFetchedAt());
    assertEquals("json", json.getFormat());
    assertEquals("INVALID_JSON", DocumentDecoder.decode(raw(3, "just text"),
        new DocumentDecoder.Settings(InputFormat.JSON, 1 << 20)).failure().getReason());
  }

  @Test
  void joinersInsideWordsAndEmojiAreKept() {
    String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";
    String persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645";
    Document d = DocumentDecoder.decode(raw(1, family + " " + persian + " \u200D")).document();
    assertEquals(family + " " + persian, d.getText().strip());
  }

  private static void assertReason(Reason reason, RawRecord r) {
    DocumentDecoder.Decoded d = DocumentDecoder.decode(r);
    assertNull(d.document(), reason.name());
    assertNotNull(d.failure());
    assertEquals(reason.name(), d.failure().getReason());
    assertEquals("ReadDocuments", d.failure().getStage());
  }
}
