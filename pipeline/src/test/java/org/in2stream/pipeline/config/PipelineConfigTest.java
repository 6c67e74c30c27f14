package org.in2stream.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.assemble.TrainingTemplate;
import org.junit.jupiter.api.Test;

class PipelineConfigTest {
  private static PipelineConfig config(String... extra) {
    List<String> args = new ArrayList<>(List.of("--bootstrapServers=localhost:1",
        "--inputTopic=t", "--output=/tmp/x"));
    args.addAll(List.of(extra));
    return PipelineConfig.from(PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
        .as(In2Options.class));
  }

  @Test
  void defaultsAreThePapersRecipe() {
    Recipe r = config().recipe();
    assertEquals(Mixture.PAPER, r.mixture());
    assertEquals("uniform:4096-32768", r.lengths().toString());
    assertEquals(Placement.SHUFFLE, r.placement());
    assertEquals(TrainingTemplate.FILM_V1, r.template());
    assertEquals(1, r.questionsPerDocument());
    assertEquals(32768 + 256 + 1024, r.maxSequenceTokens(), "auto: largest length + reserve + 1K");
    assertNull(r.decontaminate());
    assertEquals(300.0 / 1400, r.mixture().multiSegmentShare(), 1e-12);
    assertEquals(150.0 / 1550, r.mixture().shortContextShare(), 1e-12);
  }

  @Test
  void everyRecipeOptionIsRead() {
    Recipe r = config("--tokenizer=" + TestTexts.hfSpec(), "--mixture=2:1:1",
        "--lengthDistribution=buckets:8192,131072", "--placement=stratified",
        "--template=chatml-v1", "--questionsPerDocument=3", "--maxSequenceTokens=140000",
        "--answerReserveTokens=512").recipe();
    assertEquals(0.25, r.mixture().shortContextShare(), 1e-12);
    assertEquals(131072, r.lengths().max());
    assertEquals(Placement.STRATIFIED, r.placement());
    assertEquals(TrainingTemplate.CHATML_V1, r.template());
    assertEquals(3, r.questionsPerDocument());
    assertEquals(140000, r.maxSequenceTokens());
    assertEquals(512, r.answerReserveTokens());
  }

  @Test
  void wrongValuesFailBeforeAnyDataMovesNamingTheOption() {
    String[][] cases = {
        {"--mixture=1:2", "--mixture"},
        {"--placement=middle", "--placement"},
        {"--template=film-v9", "--template"},
        {"--lengthDistribution=normal", "--lengthDistribution"},
        {"--lengthDistribution=buckets:262144", "131072"},
        {"--questionsPerDocument=0", "--questionsPerDocument"},
        {"--maxSequenceTokens=4000", "--maxSequenceTokens"},
        {"--decontaminate=/nonexistent/eval.txt", "--decontaminate"},
        {"--tokenizer=hf:/nonexistent/tokenizer.json", "/nonexistent/tokenizer.json"},
        {"--tokenizer=hf:/tmp", "no readable tokenizer.json"},
        {"--tokenizer=sentencepiece:x", "unknown --tokenizer"},
        {"--inputFormat=xml", "--inputFormat"},
        {"--generator=gpt", "--generator"},
        {"--mode=batch", "--mode"},
        {"--maxDocumentBytes=0", "--maxDocumentBytes"},
        {"--maxDocumentBytes=1000000000", "--maxDocumentBytes"},
        {"--maxDocumentTokens=64", "--maxDocumentTokens"},
        {"--maxContextTokens=8192", "--maxSequenceTokens=4096", "--maxSequenceTokens"},
        {"--minContextTokens=9000", "--maxContextTokens=8192", "--minContextTokens"},
        {"--maxDocumentByte=5", "maxDocumentByte"},
        {"--placement", "--placement"},
    };
    for (String[] c : cases) {
      String[] args = java.util.Arrays.copyOf(c, c.length - 1);
      String expected = c[c.length - 1];
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> config(args), String.join(" ", args));
      assertTrue(e.getMessage().contains(expected), String.join(" ", args) + ": " + e.getMessage());
    }
  }
}
