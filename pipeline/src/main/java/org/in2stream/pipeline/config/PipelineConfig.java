package org.in2stream.pipeline.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.in2stream.pipeline.synth.llm.LlmSettings;
import org.in2stream.pipeline.tokenize.Tokenizers;

/**
 * The immutable, checked configuration that transforms receive. Cross-field rules are checked here,
 * before any data moves, and every message says what to change.
 */
public record PipelineConfig(
    String bootstrapServers,
    String inputTopic,
    long maxRecords,
    String consumerGroup,
    String output,
    int numShards,
    long seed,
    String tokenizer,
    int minSegmentTokens,
    int maxParagraphTokens,
    int minContextTokens,
    int maxContextTokens,
    int fineGrainedPerDocument,
    double multiSegmentRate,
    double shortContextRate,
    int fillerPoolSize,
    Generator generator,
    int maxInFlight,
    LlmSettings llm)
    implements Serializable {

  /** Which QA generator to run. */
  public enum Generator {
    /** The embedded, offline, deterministic extractive generator (a stand-in for an LLM). */
    OFFLINE,
    /** Any OpenAI-compatible chat-completions server; settings in {@link #llm()}. */
    OPENAI
  }

  /** Largest context length we accept (the IN2 recipe goes to 32K; users go further). */
  public static final int MAX_CONTEXT_LIMIT = 131_072;

  public PipelineConfig {
    List<String> errors = new ArrayList<>();
    Tokenizers.validate(tokenizer).ifPresent(errors::add);
    if (maxRecords <= 0) {
      errors.add("--maxRecords must be > 0 (got " + maxRecords + ")");
    }
    if (numShards < 0) {
      errors.add("--numShards must be >= 0 (got " + numShards + ")");
    }
    if (minSegmentTokens < 1) {
      errors.add("--minSegmentTokens must be >= 1 (got " + minSegmentTokens + ")");
    }
    if (maxParagraphTokens < minSegmentTokens) {
      errors.add("--maxParagraphTokens (" + maxParagraphTokens
          + ") must be >= --minSegmentTokens (" + minSegmentTokens + ")");
    }
    if (minContextTokens < 1 || minContextTokens > maxContextTokens) {
      errors.add("need 1 <= --minContextTokens <= --maxContextTokens (got " + minContextTokens
          + " and " + maxContextTokens + ")");
    }
    if (maxContextTokens > MAX_CONTEXT_LIMIT) {
      errors.add("--maxContextTokens must be <= " + MAX_CONTEXT_LIMIT + " (got "
          + maxContextTokens + ")");
    }
    if (minContextTokens < 2 * maxParagraphTokens) {
      errors.add("--minContextTokens (" + minContextTokens + ") must leave room for fillers: "
          + "make it at least twice --maxParagraphTokens (" + maxParagraphTokens + ")");
    }
    if (fineGrainedPerDocument < 1) {
      errors.add("--fineGrainedPerDocument must be >= 1 (got " + fineGrainedPerDocument + ")");
    }
    if (!(multiSegmentRate >= 0 && multiSegmentRate <= 1)) {
      errors.add("--multiSegmentRate must be in [0, 1] (got " + multiSegmentRate + ")");
    }
    if (!(shortContextRate >= 0 && shortContextRate <= 1)) {
      errors.add("--shortContextRate must be in [0, 1] (got " + shortContextRate + ")");
    }
    if (fillerPoolSize < 1) {
      errors.add("--fillerPoolSize must be >= 1 (got " + fillerPoolSize + ")");
    }
    if (maxInFlight < 1) {
      errors.add("--maxInFlight must be >= 1 (got " + maxInFlight + ")");
    }
    if (generator == Generator.OPENAI && llm == null) {
      errors.add("--generator=openai needs the LLM settings (--llmUrl, --llmModel, ...)");
    }
    if (llm != null && llm.maxInFlight() != maxInFlight) {
      errors.add("the LLM settings' maxInFlight (" + llm.maxInFlight() + ") must equal "
          + "--maxInFlight (" + maxInFlight + ")");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid configuration:\n  - "
          + String.join("\n  - ", errors));
    }
  }

  /** Reads and checks the options once. */
  public static PipelineConfig from(In2Options o) {
    Generator generator = parseGenerator(o.getGenerator());
    return new PipelineConfig(
        require(o.getBootstrapServers(), "--bootstrapServers"),
        require(o.getInputTopic(), "--inputTopic"),
        o.getMaxRecords() == null ? 0 : o.getMaxRecords(),
        o.getConsumerGroup(),
        require(o.getOutput(), "--output"),
        o.getNumShards(),
        o.getSeed(),
        o.getTokenizer(),
        o.getMinSegmentTokens(),
        o.getMaxParagraphTokens(),
        o.getMinContextTokens(),
        o.getMaxContextTokens(),
        o.getFineGrainedPerDocument(),
        o.getMultiSegmentRate(),
        o.getShortContextRate(),
        o.getFillerPoolSize(),
        generator,
        o.getMaxInFlight(),
        generator == Generator.OPENAI ? llmSettings(o) : null);
  }

  /** The OpenAI-compatible generator's settings; checked by {@link LlmSettings} itself. */
  public static LlmSettings llmSettings(In2Options o) {
    return new LlmSettings(
        o.getLlmUrl(),
        o.getLlmModel(),
        o.getLlmApiKeyEnv(),
        o.getLlmApiKeyFile(),
        o.getLlmTemperature(),
        o.getLlmMaxTokens(),
        o.getLlmSeed(),
        o.getLlmExtraBody(),
        o.getLlmRequestTimeoutMs(),
        o.getLlmMaxRetries(),
        o.getLlmRetryBudgetMs(),
        o.getLlmBackoffBaseMs(),
        o.getLlmBackoffMaxMs(),
        LlmSettings.ResponseFormatMode.parse(o.getLlmResponseFormat()),
        o.getLlmPromptVersion(),
        o.getLlmCache(),
        o.getLlmPriceInputPerMTok(),
        o.getLlmPriceOutputPerMTok(),
        o.getMaxInFlight(),
        o.getSeed());
  }

  private static Generator parseGenerator(String value) {
    try {
      return Generator.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("unknown --generator=" + value + "; use offline or openai");
    }
  }

  private static String require(String value, String flag) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(flag + " is required");
    }
    return value;
  }
}
