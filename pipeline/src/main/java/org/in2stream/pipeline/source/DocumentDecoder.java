package org.in2stream.pipeline.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.RawRecord;
import org.in2stream.schema.Source;

/**
 * Turns one raw Kafka value into a {@link Document} or a {@link Failure}; never throws on bad input.
 *
 * <p>A value is plain UTF-8 text, or a JSON object whose first non-blank character is '{' with a
 * string field {@code text} and optional {@code id} and {@code url}. The document id is stable: the
 * JSON {@code id} if given; else {@code u-} + hash of the url; else {@code k-} + hash of the Kafka key;
 * else {@code c-} + hash of the text.
 */
public final class DocumentDecoder {
  public static final String STAGE = "ReadDocuments";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ID_CHARS = 256;

  private DocumentDecoder() {}

  /** Exactly one of the two fields is set. */
  public record Decoded(Document document, Failure failure) {}

  public static Decoded decode(RawRecord raw) {
    Source source = new Source(raw.getTopic(), raw.getPartition(), raw.getOffset(),
        raw.getTimestamp());
    if (raw.getValue() == null) {
      return fail(Reason.NULL_VALUE, "tombstone at " + where(source), source, new byte[0]);
    }
    byte[] bytes = toArray(raw.getValue());
    String text;
    try {
      text = strictUtf8(bytes);
    } catch (CharacterCodingException e) {
      return fail(Reason.INVALID_UTF8, "invalid UTF-8 at " + where(source) + ": " + e,
          source, bytes);
    }
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      text = text.substring(1); // a UTF-8 byte order mark is not content
    }

    String id = null;
    String url = null;
    String stripped = text.stripLeading();
    if (stripped.startsWith("{")) {
      JsonNode node;
      try {
        node = JSON.readTree(stripped);
      } catch (JsonProcessingException e) {
        return fail(Reason.INVALID_JSON, "JSON parse error: " + e.getOriginalMessage(), source,
            bytes);
      }
      if (node == null || !node.isObject() || !node.path("text").isTextual()) {
        return fail(Reason.MISSING_TEXT, null, source, bytes);
      }
      text = node.get("text").asText();
      JsonNode idNode = node.path("id");
      if (idNode.isTextual() || idNode.isIntegralNumber()) {
        id = idNode.asText().strip();
        if (id.isEmpty() || id.length() > MAX_ID_CHARS) {
          id = null; // unusable as given; fall back to a derived id
        }
      }
      if (node.path("url").isTextual() && !node.get("url").asText().isBlank()) {
        url = node.get("url").asText().strip();
      }
    }
    text = text.replace("\r\n", "\n").replace('\r', '\n');
    if (id == null) {
      id = deriveId(url, raw.getKey(), text);
    }
    if (text.isBlank()) {
      return new Decoded(null,
          Failures.ofText(STAGE, Reason.EMPTY, null, id, source, text));
    }
    Document doc = Document.newBuilder()
        .setId(id)
        .setText(text)
        .setUrl(url)
        .setContentSha256(Hashing.sha256Hex(text))
        .setSource(source)
        .build();
    return new Decoded(doc, null);
  }

  private static String deriveId(String url, ByteBuffer key, String text) {
    if (url != null) {
      return "u-" + Hashing.sha256Hex(url).substring(0, 32);
    }
    if (key != null && key.remaining() > 0) {
      return "k-" + Hashing.sha256Hex(toArray(key)).substring(0, 32);
    }
    return "c-" + Hashing.sha256Hex(text).substring(0, 32);
  }

  private static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
    return chars.toString();
  }

  private static byte[] toArray(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static String where(Source s) {
    return s.getTopic() + "/" + s.getPartition() + "@" + s.getOffset();
  }

  private static Decoded fail(Reason reason, String message, Source source, byte[] bytes) {
    return new Decoded(null, Failures.ofBytes(STAGE, reason, message, null, source, bytes));
  }
}
