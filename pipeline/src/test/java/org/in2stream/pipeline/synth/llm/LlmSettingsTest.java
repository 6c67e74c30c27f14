package org.in2stream.pipeline.synth.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.in2stream.pipeline.config.In2Options;
import org.in2stream.pipeline.config.PipelineConfig;
import org.junit.jupiter.api.Test;

class LlmSettingsTest {
  private static PipelineConfig config(String... extra) {
    String[] base = {"--bootstrapServers=b:9092", "--inputTopic=t",
        "--output=/tmp/o"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return PipelineConfig.from(PipelineOptionsFactory.fromArgs(all).as(In2Options.class));
  }

  @Test
  void theOpenAiGeneratorIsConfiguredFromOptionsWithDefaults() {
    PipelineConfig c = config("--generator=openai", "--llmUrl=http://localhost:8000/v1",
        "--llmModel=qwen", "--maxInFlight=300");
    LlmSettings s = c.llm();
    assertEquals(PipelineConfig.Generator.OPENAI, c.generator());
    assertEquals(300, s.maxInFlight());
    assertEquals("OPENAI_API_KEY", s.apiKeyEnv());
    assertEquals(LlmSettings.ResponseFormatMode.JSON_SCHEMA, s.responseFormat());
    assertEquals("file:.local/llm-cache", s.cache());
    assertTrue(s.retryBudgetMs() * 2 < 600_000, "two budgets fit in the checkpoint timeout");
    assertNull(config().llm(), "the offline generator needs no LLM settings");
  }

  @Test
  void wrongSettingsFailWithTheOptionToFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> config("--generator=openai", "--llmModel=m"));
    assertTrue(e.getMessage().contains("--llmUrl is required"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> config("--generator=openai",
        "--llmUrl=http://h/v1", "--llmModel=m", "--llmRetryBudgetMs=900000",
        "--llmExtraBody=[1]", "--llmCache=s3://x", "--llmResponseFormat=json_schema"));
    assertTrue(e.getMessage().contains("--llmRetryBudgetMs"), e.getMessage());
    assertTrue(e.getMessage().contains("--llmExtraBody"), e.getMessage());
    assertTrue(e.getMessage().contains("--llmCache"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> config("--generator=gpt"));
  }

  @Test
  void generationParametersChangeTheRequestKeyButTheUrlAndKeyDoNot() {
    LlmSettings a = LlmTestSupport.settings("http://a/v1", "none", 4, 1_000, 2, null);
    LlmSettings b = LlmTestSupport.settings("http://b/v1", "none", 8, 1_000, 2, "/some/key");
    assertEquals(a.generationParams(), b.generationParams());
    LlmSettings hotter = new LlmSettings(a.baseUrl(), a.model(), a.apiKeyEnv(), a.apiKeyFile(),
        0.9, a.maxTokens(), a.seed(), a.extraBody(), a.requestTimeoutMs(), a.maxRetries(),
        a.retryBudgetMs(), a.backoffBaseMs(), a.backoffMaxMs(), a.responseFormat(),
        a.promptVersion(), a.cache(), 0, 0, a.maxInFlight(), a.globalSeed(), a.cacheMode(),
        a.verifierModel(), a.contextTokens());
    assertNotEquals(a.generationParams(), hotter.generationParams());
    assertTrue(a.generationParams().contains("extra={\"top_p\":0.9}"), a.generationParams());
  }
}
