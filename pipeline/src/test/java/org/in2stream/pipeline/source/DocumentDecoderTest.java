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

  private static void assertReason(Reason reason, RawRecord r) {
    DocumentDecoder.Decoded d = DocumentDecoder.decode(r);
    assertNull(d.document(), reason.name());
    assertNotNull(d.failure());
    assertEquals(reason.name(), d.failure().getReason());
    assertEquals("ReadDocuments", d.failure().getStage());
  }
}
