package org.in2stream.pipeline.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.in2stream.pipeline.TestTexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which {@code tokenizer.json} files take the Java path, on variants of Llama 3's file: GPT-2's
 * {@code ByteLevel} pattern and a pattern run by {@link java.util.regex} still match the Rust
 * library token for token; a normalizer, offset trimming or a pattern construct the Java path does
 * not run send the file to DJL.
 */
class ByteLevelBpeLoaderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void gpt2PatternAndAJavaRegexPatternMatchTheRustLibrary() throws IOException {
    String gpt2 = variant("gpt2", root -> root.set("pre_tokenizer", JSON.createObjectNode()
        .put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
        .put("use_regex", true)));
    String twoDigits = variant("two-digits", root -> ((ObjectNode) root.path("pre_tokenizer")
        .path("pretokenizers").get(0).path("pattern")).put("Regex",
        PieceSplitter.Cl100kFamily.LLAMA3.replace("{1,3}", "{1,2}")));
    List<String> texts = MixedText.documents(7, 60, 1_500);
    for (String spec : List.of(gpt2, twoDigits)) {
      assertTrue(TokenizerEquivalence.isJavaPath(Tokenizers.load(spec)), spec);
      TokenizerEquivalence.Result r = TokenizerEquivalence.check(spec, texts);
      assertNull(r.firstMismatch(), r.toString());
      assertTrue(r.tokens() > 20_000, r.toString());
    }
    // only the known pattern families claim additivity
    assertTrue(Tokenizers.load(gpt2).additiveAfterLineBreak("Hello"));
    assertFalse(Tokenizers.load(twoDigits).additiveAfterLineBreak("Hello"));
    // the changed pattern is the one that runs: "12" "34" "5" against Llama 3's "123" "45"
    assertEquals(Tokenizers.load(TestTexts.hfSpec()).count("12345") + 1,
        Tokenizers.load(twoDigits).count("12345"));
  }

  @Test
  void whatTheJavaPathDoesNotRunGoesToDjl() throws IOException {
    List<String> specs = List.of(
        variant("nfkc", root -> root.set("normalizer", JSON.createObjectNode().put("type", "NFKC"))),
        variant("trimmed", root -> ((ObjectNode) root.path("post_processor"))
            .put("trim_offsets", true)),
        variant("dot", root -> ((ObjectNode) root.path("pre_tokenizer").path("pretokenizers")
            .get(0).path("pattern")).put("Regex", "\\s+|.")));
    for (String spec : specs) {
      TextTokenizer tok = Tokenizers.load(spec);
      assertFalse(TokenizerEquivalence.isJavaPath(tok), spec);
      assertEquals(Tokenizers.loadThroughDjl(spec).count("Hello world"), tok.count("Hello world"));
    }
    assertThrows(IllegalArgumentException.class, () -> Tokenizers.loadThroughDjl("tiktoken:x"));
  }

  private String variant(String name, Consumer<ObjectNode> change) throws IOException {
    String llama = TestTexts.hfSpec().substring(Tokenizers.HF.length());
    ObjectNode root = (ObjectNode) JSON.readTree(Path.of(llama).toFile());
    change.accept(root);
    Path file = dir.resolve(name + ".json");
    JSON.writeValue(file.toFile(), root);
    return Tokenizers.HF + file;
  }
}
