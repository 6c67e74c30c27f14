package org.in2stream.pipeline.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads a Hugging Face {@code tokenizer.json} and builds a {@link ByteLevelBpeTokenizer} when the
 * file describes what that class runs exactly: a BPE model over GPT-2's byte-to-character alphabet
 * (no dropout, no byte fallback, no word prefixes or suffixes, every byte a token, every merge
 * naming tokens of the vocabulary), a {@code ByteLevel} pre-tokenizer alone (GPT-2's pattern) or
 * after one {@code Split} whose pattern Java runs identically ({@link HfRegex}), no normalizer or
 * NFC, added tokens matched on the raw text without stripping, a post-processor that changes
 * nothing when no special tokens are added ({@code ByteLevel} without offset trimming,
 * {@code TemplateProcessing}), and a {@code ByteLevel} decoder. Anything else is {@link
 * Unsupported}, with the reason, and the caller uses DJL.
 */
final class ByteLevelBpeLoader {
  /** The pattern of {@code ByteLevel} with {@code use_regex: true} (GPT-2), as in the Rust library. */
  static final String GPT2 =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Why a {@code tokenizer.json} cannot take the fast path. */
  static final class Unsupported extends Exception {
    Unsupported(String message) {
      super(message);
    }
  }

  private ByteLevelBpeLoader() {}

  static ByteLevelBpeTokenizer load(String spec, Path path, Supplier<TextTokenizer> reference)
      throws Unsupported {
    JsonNode root;
    try {
      root = JSON.readTree(path.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Hugging Face tokenizer " + path, e);
    }
    return fromJson(spec, root, reference);
  }

  static ByteLevelBpeTokenizer fromJson(String spec, JsonNode root,
      Supplier<TextTokenizer> reference) throws Unsupported {
    boolean nfc = normalizer(root.path("normalizer"));
    String regex = preTokenizerPattern(root.path("pre_tokenizer"));
    PieceSplitter splitter = PieceSplitter.Cl100kFamily.forPattern(regex);
    boolean lineBreakRules = splitter != null || GPT2.equals(regex);
    if (splitter == null) {
      try {
        Pattern p = HfRegex.javaPattern(regex);
        splitter = new PieceSplitter.Regex(p);
      } catch (IllegalArgumentException e) {
        throw new Unsupported("pre-tokenizer pattern: " + e.getMessage());
      }
    }
    postProcessor(root.path("post_processor"));
    if (!"ByteLevel".equals(root.path("decoder").path("type").asText())) {
      throw new Unsupported("decoder is not ByteLevel: " + root.path("decoder"));
    }

    JsonNode model = root.path("model");
    require("BPE".equals(model.path("type").asText()), "model type " + model.path("type"));
    require(isNullOrMissing(model.path("dropout")), "BPE dropout");
    require(!model.path("byte_fallback").asBoolean(false), "byte_fallback");
    require(isEmptyText(model.path("continuing_subword_prefix")), "continuing_subword_prefix");
    require(isEmptyText(model.path("end_of_word_suffix")), "end_of_word_suffix");
    boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);

    int[] byteOf = byteLevelDecoding();
    JsonNode vocabNode = model.path("vocab");
    require(vocabNode.isObject() && vocabNode.size() > 256, "no vocabulary");
    Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
    int maxId = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      vocab.put(e.getKey(), e.getValue().asInt());
      maxId = Math.max(maxId, e.getValue().asInt());
    }
    List<String> addedContents = new ArrayList<>();
    List<Integer> addedIds = new ArrayList<>();
    Boolean normalized = null;
    for (JsonNode a : root.path("added_tokens")) {
      String content = a.path("content").asText();
      require(!a.path("lstrip").asBoolean() && !a.path("rstrip").asBoolean()
          && !a.path("single_word").asBoolean(), "added token " + content
          + " strips spaces or matches single words");
      boolean norm = a.path("normalized").asBoolean();
      require(normalized == null || normalized == norm,
          "added tokens matched on raw and on normalized text");
      normalized = norm;
      require(!content.isEmpty(), "an empty added token");
      addedContents.add(content);
      addedIds.add(a.path("id").asInt());
      maxId = Math.max(maxId, a.path("id").asInt());
    }

    java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    int[] tokenBytes = new int[maxId + 1];
    Map<String, Integer> wholePieces = ignoreMerges ? new HashMap<>(vocab.size() * 2) : null;
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      byte[] bytes = toBytes(e.getKey(), byteOf);
      tokenBytes[e.getValue()] = bytes.length;
      if (wholePieces != null) {
        String text = utf8(utf8, bytes);
        if (text != null) {
          wholePieces.put(text, e.getValue());
        }
      }
    }
    for (int i = 0; i < addedContents.size(); i++) {
      tokenBytes[addedIds.get(i)] = addedContents.get(i).getBytes(StandardCharsets.UTF_8).length;
    }
    int[] byteIds = new int[256];
    char[] charOf = byteLevelEncoding();
    for (int b = 0; b < 256; b++) {
      Integer id = vocab.get(String.valueOf(charOf[b]));
      require(id != null, "byte " + b + " has no token");
      byteIds[b] = id;
    }

    JsonNode mergesNode = model.path("merges");
    PairMerges merges = new PairMerges(mergesNode.size());
    int rank = 0;
    for (JsonNode m : mergesNode) {
      String left;
      String right;
      if (m.isArray() && m.size() == 2) {
        left = m.get(0).asText();
        right = m.get(1).asText();
      } else {
        String[] parts = m.asText().split(" ", -1);
        require(parts.length == 2, "merge '" + m.asText() + "'");
        left = parts[0];
        right = parts[1];
      }
      Integer l = vocab.get(left);
      Integer r = vocab.get(right);
      Integer merged = vocab.get(left + right);
      require(l != null && r != null && merged != null, "merge " + left + " " + right
          + " names a token outside the vocabulary");
      require(merges.put(l, r, rank, merged), "merge " + left + " " + right + " listed twice");
      rank++;
    }
    return new ByteLevelBpeTokenizer(spec, splitter, new AddedTokens(addedContents, addedIds), nfc,
        byteIds, merges, wholePieces, tokenBytes, lineBreakRules, reference);
  }

  private static boolean normalizer(JsonNode n) throws Unsupported {
    if (isNullOrMissing(n)) {
      return false;
    }
    if ("NFC".equals(n.path("type").asText())) {
      return true;
    }
    throw new Unsupported("normalizer " + n);
  }

  /** The one pattern that cuts the text into pieces. */
  private static String preTokenizerPattern(JsonNode p) throws Unsupported {
    if ("ByteLevel".equals(p.path("type").asText())) {
      require(!p.path("add_prefix_space").asBoolean(), "ByteLevel add_prefix_space");
      require(p.path("use_regex").asBoolean(true), "ByteLevel without a pattern");
      return GPT2;
    }
    require("Sequence".equals(p.path("type").asText()) && p.path("pretokenizers").size() == 2,
        "pre-tokenizer " + p);
    JsonNode split = p.path("pretokenizers").get(0);
    JsonNode byteLevel = p.path("pretokenizers").get(1);
    require("Split".equals(split.path("type").asText())
        && "Isolated".equals(split.path("behavior").asText())
        && !split.path("invert").asBoolean() && split.path("pattern").has("Regex"),
        "pre-tokenizer " + split);
    require("ByteLevel".equals(byteLevel.path("type").asText())
        && !byteLevel.path("add_prefix_space").asBoolean()
        && !byteLevel.path("use_regex").asBoolean(true), "pre-tokenizer " + byteLevel);
    return split.path("pattern").path("Regex").asText();
  }

  private static void postProcessor(JsonNode p) throws Unsupported {
    if (isNullOrMissing(p)) {
      return;
    }
    switch (p.path("type").asText()) {
      case "ByteLevel":
        require(!p.path("trim_offsets").asBoolean(), "post-processor trims offsets");
        return;
      case "TemplateProcessing":
        return; // adds special tokens only, and none are added
      case "Sequence":
        for (JsonNode q : p.path("processors")) {
          postProcessor(q);
        }
        return;
      default:
        throw new Unsupported("post-processor " + p.path("type").asText());
    }
  }

  /** GPT-2's map from bytes to printable characters, as the Rust library builds it. */
  static char[] byteLevelEncoding() {
    char[] out = new char[256];
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      out[b] = printable ? (char) b : (char) (256 + extra++);
    }
    return out;
  }

  private static int[] byteLevelDecoding() {
    int[] byteOf = new int[512];
    java.util.Arrays.fill(byteOf, -1);
    char[] enc = byteLevelEncoding();
    for (int b = 0; b < 256; b++) {
      byteOf[enc[b]] = b;
    }
    return byteOf;
  }

  private static byte[] toBytes(String token, int[] byteOf) throws Unsupported {
    byte[] out = new byte[token.length()];
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      int b = c < byteOf.length ? byteOf[c] : -1;
      require(b >= 0, "token '" + token + "' is not byte-level");
      out[i] = (byte) b;
    }
    return out;
  }

  /** The text of these bytes, or null if they are not whole UTF-8 characters. */
  private static String utf8(java.nio.charset.CharsetDecoder decoder, byte[] bytes) {
    try {
      return decoder.reset().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean isNullOrMissing(JsonNode n) {
    return n.isMissingNode() || n.isNull();
  }

  private static boolean isEmptyText(JsonNode n) {
    return isNullOrMissing(n) || n.asText().isEmpty();
  }

  private static void require(boolean ok, String what) throws Unsupported {
    if (!ok) {
      throw new Unsupported("unsupported: " + what);
    }
  }
}
