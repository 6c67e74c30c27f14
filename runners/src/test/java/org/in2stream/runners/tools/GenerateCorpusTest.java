package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The re-crawl shape of the corpus: the same pages again, some with changed boilerplate. */
class GenerateCorpusTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode doc(int index, int crawl) throws Exception {
    return JSON.readTree(GenerateCorpus.jsonLine(index, 7, crawl, 0.5));
  }

  /** The text without its first line (date), third line (ad) and last line (footer). */
  private static List<String> article(JsonNode d) {
    List<String> lines = Arrays.asList(d.get("text").asText().split("\n"));
    List<String> a = new java.util.ArrayList<>(lines.subList(1, lines.size() - 1));
    a.remove(1);
    return a;
  }

  @Test
  void aRecrawlKeepsIdUrlAndArticleAndChangesTheBoilerplateOfAboutTheGivenShare()
      throws Exception {
    int changed = 0;
    int docs = 200;
    for (int i = 0; i < docs; i++) {
      JsonNode first = doc(i, 0);
      JsonNode again = doc(i, 1);
      assertEquals(first.get("id"), again.get("id"));
      assertEquals(first.get("url"), again.get("url"));
      assertNotEquals(first.get("fetched_at"), again.get("fetched_at"));
      assertEquals(article(first), article(again), "the article text of page " + i);
      String plain = JSON.readTree(GenerateCorpus.jsonLine(i, 7)).get("text").asText();
      assertEquals(String.join("\n", article(first)), plain, "crawl 0 wraps the plain document");
      if (!first.get("text").equals(again.get("text"))) {
        changed++;
        List<String> a = Arrays.asList(first.get("text").asText().split("\n"));
        List<String> b = Arrays.asList(again.get("text").asText().split("\n"));
        assertNotEquals(a.get(0), b.get(0), "a changed page has a new date line");
      }
    }
    assertTrue(changed > docs * 0.35 && changed < docs * 0.65, changed + " of " + docs);
  }

  @Test
  void theFooterIsSharedAcrossPagesAndTheShapeIsDeterministic() throws Exception {
    String footer0 = last(doc(0, 0));
    String footer1 = last(doc(1, 0));
    assertEquals(footer0.substring(footer0.indexOf(' ', 12)),
        footer1.substring(footer1.indexOf(' ', 12)), "one site footer, up to its year");
    assertEquals(GenerateCorpus.jsonLine(5, 7, 1, 0.5), GenerateCorpus.jsonLine(5, 7, 1, 0.5));
    assertFalse(JSON.readTree(GenerateCorpus.jsonLine(5, 7)).has("fetched_at"));
  }

  private static String last(JsonNode d) {
    String[] lines = d.get("text").asText().split("\n");
    return lines[lines.length - 1];
  }
}
