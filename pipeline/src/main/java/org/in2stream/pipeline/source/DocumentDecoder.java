package org.in2stream.pipeline.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.in2stream.pipeline.failure.Failures;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.RawRecord;
import org.in2stream.schema.Source;

/**
 * Turns one raw Kafka value into a {@link Document} or a {@link Failure}; never throws on bad input.
 * In order: a null value is a tombstone; a value above {@code maxDocumentBytes} is rejected before it
 * is copied or decoded; a byte order mark selects UTF-8 or UTF-16 (strict); binary signatures and NUL
 * bytes, then strict UTF-8, then the share of control characters; then the format ({@link
 * InputFormat}): a JSON object with a string field {@code text} and optional {@code id}, {@code url},
 * {@code lang}, {@code fetched_at}, raw HTML (text extracted with jsoup), or plain text; then {@link
 * InputCleaner}. The document id is stable: the JSON {@code id} if given; else {@code u-} + hash of the
 * url; else {@code k-} + hash of the Kafka key; else {@code c-} + hash of the text.
 */
public final class DocumentDecoder {
  public static final String STAGE = "ReadDocuments";
  /** Default of {@code --maxDocumentBytes}: 2 MiB. */
  public static final long DEFAULT_MAX_BYTES = 2L * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ID_CHARS = 256;
  private static final int MAX_FIELD_CHARS = 256;

  private DocumentDecoder() {}

  /** How values are read: the format and the size limit in bytes. */
  public record Settings(InputFormat format, long maxDocumentBytes) implements Serializable {
    public static final Settings DEFAULT = new Settings(InputFormat.AUTO, DEFAULT_MAX_BYTES);
  }

  /**
   * Exactly one of {@code document} and {@code failure} is set; the counts say how many invisible
   * (zero-width, bidi) and control characters were removed.
   */
  public record Decoded(Document document, Failure failure, int invisibleRemoved,
      int controlsRemoved) {
    public Decoded(Document document, Failure failure) {
      this(document, failure, 0, 0);
    }
  }

  public static Decoded decode(RawRecord raw) {
    return decode(raw, Settings.DEFAULT);
  }

  public static Decoded decode(RawRecord raw, Settings settings) {
    Source source = new Source(raw.getTopic(), raw.getPartition(), raw.getOffset(),
        raw.getTimestamp());
    if (raw.getValue() == null) {
      return fail(Reason.NULL_VALUE, "tombstone at " + where(source), source, new byte[0]);
    }
    ByteBuffer value = raw.getValue().duplicate();
    if (value.remaining() > settings.maxDocumentBytes()) {
      return new Decoded(null, Failures.ofLargeBuffer(STAGE, Reason.DOCUMENT_TOO_LARGE,
          value.remaining() + " bytes > --maxDocumentBytes=" + settings.maxDocumentBytes()
              + " at " + where(source), null, source, value));
    }
    InputSniffer.Bom bom = InputSniffer.bom(value);
    byte[] bytes = toArray(value);
    String text;
    if (bom == InputSniffer.Bom.UTF16BE || bom == InputSniffer.Bom.UTF16LE) {
      try {
        text = strict(bom == InputSniffer.Bom.UTF16BE ? StandardCharsets.UTF_16BE
            : StandardCharsets.UTF_16LE, bytes, bom.length);
      } catch (CharacterCodingException e) {
        return fail(Reason.INVALID_UTF16, "invalid " + bom + " at " + where(source) + ": " + e,
            source, bytes);
      }
    } else {
      Optional<String> binary = InputSniffer.binarySignature(ByteBuffer.wrap(bytes));
      if (binary.isPresent()) {
        return fail(Reason.BINARY, binary.get() + " at " + where(source), source, bytes);
      }
      try {
        text = strict(StandardCharsets.UTF_8, bytes, bom.length);
      } catch (CharacterCodingException e) {
        return fail(Reason.INVALID_UTF8, "invalid UTF-8 at " + where(source) + ": " + e,
            source, bytes);
      }
    }
    Optional<String> controls = InputSniffer.tooManyControls(text);
    if (controls.isPresent()) {
      return fail(Reason.BINARY, controls.get() + " at " + where(source), source, bytes);
    }
    if (text.isBlank()) {
      return new Decoded(null, Failures.ofText(STAGE, Reason.EMPTY, null,
          deriveId(null, raw.getKey(), text), source, text));
    }

    String id = null;
    String url = null;
    String lang = null;
    String fetchedAt = null;
    InputFormat format = settings.format();
    String stripped = text.stripLeading();
    if (format == InputFormat.AUTO) {
      format = stripped.startsWith("{") ? InputFormat.JSON
          : InputSniffer.looksLikeHtml(stripped) ? InputFormat.HTML : InputFormat.TEXT;
    }
    boolean html = format == InputFormat.HTML;
    if (format == InputFormat.JSON) {
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
      url = field(node, "url");
      lang = field(node, "lang");
      fetchedAt = field(node, "fetched_at");
      // With --inputFormat=auto, a JSON text that is itself a page is read as HTML.
      html = settings.format() == InputFormat.AUTO && InputSniffer.looksLikeHtml(text);
    }
    boolean blankBefore = text.isBlank();
    if (html) {
      text = HtmlText.extract(text);
    }
    InputCleaner.Cleaned cleaned = InputCleaner.clean(text);
    text = cleaned.text();
    if (id == null) {
      id = deriveId(url, raw.getKey(), text);
    }
    if (text.isBlank()) {
      Reason reason = blankBefore ? Reason.EMPTY : Reason.EMPTY_AFTER_CLEANING;
      return new Decoded(null, Failures.ofBytes(STAGE, reason, null, id, source, bytes),
          cleaned.invisibleRemoved(), cleaned.controlsRemoved());
    }
    Document doc = Document.newBuilder()
        .setId(id)
        .setText(text)
        .setUrl(url)
        .setLang(lang)
        .setFetchedAt(fetchedAt)
        .setFormat(html && format == InputFormat.JSON ? "json+html" : format.label())
        .setContentSha256(Hashing.sha256Hex(text))
        .setSource(source)
        .build();
    return new Decoded(doc, null, cleaned.invisibleRemoved(), cleaned.controlsRemoved());
  }

  private static String field(JsonNode node, String name) {
    JsonNode v = node.path(name);
    if (!v.isTextual() || v.asText().isBlank()) {
      return null;
    }
    String s = InputCleaner.clean(v.asText().strip()).text();
    return s.isEmpty() ? null : s.substring(0, Math.min(s.length(), MAX_FIELD_CHARS));
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

  private static String strict(Charset charset, byte[] bytes, int skip)
      throws CharacterCodingException {
    CharsetDecoder decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, skip, bytes.length - skip));
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
