package org.in2stream.pipeline.synth.llm;

/** Settings for tests against {@link FakeLlmServer}: short timeouts and waits, a given cache. */
public final class LlmTestSupport {
  private LlmTestSupport() {}

  /**
   * @param timeoutMs per-call timeout (a fake hang lasts longer than this)
   * @param maxRetries retries after the first call
   */
  public static LlmSettings settings(String baseUrl, String cache, int maxInFlight, long timeoutMs,
      int maxRetries, String apiKeyFile) {
    return new LlmSettings(baseUrl, "fake-model", "IN2_TEST_NO_SUCH_VARIABLE", apiKeyFile, 0.0,
        256, 1234L, "{\"top_p\": 0.9}", timeoutMs, maxRetries, 30_000, 50, 400,
        LlmSettings.ResponseFormatMode.JSON_SCHEMA, PromptTemplate.DEFAULT_VERSION, cache, 0.5, 1.5,
        maxInFlight, 42, "readwrite", null, 32768);
  }
}
