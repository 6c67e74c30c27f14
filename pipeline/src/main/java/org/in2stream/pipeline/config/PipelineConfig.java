package org.in2stream.pipeline.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.in2stream.pipeline.assemble.LengthDistribution;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.assemble.TrainingTemplate;
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
    int fillerPoolSize,
    Generator generator,
    int maxInFlight,
    Recipe recipe)
    implements Serializable {

  /** Which QA generator to run. */
  public enum Generator {
    /** The embedded, offline, deterministic extractive generator (a stand-in for an LLM). */
    OFFLINE
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
    if (recipe == null) {
      throw new IllegalArgumentException("a recipe is required");
    }
    if (maxContextTokens > MAX_CONTEXT_LIMIT) {
      errors.add("--maxContextTokens must be <= " + MAX_CONTEXT_LIMIT + " (got "
          + maxContextTokens + ")");
    }
    recipe.check(errors, maxParagraphTokens);
    if (fillerPoolSize < 1) {
      errors.add("--fillerPoolSize must be >= 1 (got " + fillerPoolSize + ")");
    }
    if (maxInFlight < 1) {
      errors.add("--maxInFlight must be >= 1 (got " + maxInFlight + ")");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid configuration:\n  - "
          + String.join("\n  - ", errors));
    }
  }

  /** Reads and checks the options once. */
  public static PipelineConfig from(In2Options o) {
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
        o.getFillerPoolSize(),
        parseGenerator(o.getGenerator()),
        o.getMaxInFlight(),
        recipe(o));
  }

  /** The data recipe from the options; a malformed value fails here with the option's name. */
  static Recipe recipe(In2Options o) {
    if (o.getMinContextTokens() < 1 || o.getMinContextTokens() > o.getMaxContextTokens()) {
      throw new IllegalArgumentException("need 1 <= --minContextTokens <= --maxContextTokens (got "
          + o.getMinContextTokens() + " and " + o.getMaxContextTokens() + ")");
    }
    LengthDistribution lengths = LengthDistribution.parse(o.getLengthDistribution(),
        o.getMinContextTokens(), o.getMaxContextTokens());
    String decontaminate = o.getDecontaminate() == null || o.getDecontaminate().isBlank() ? null
        : o.getDecontaminate();
    return new Recipe(o.getQuestionsPerDocument(), Mixture.parse(o.getMixture()), lengths,
        Recipe.resolveMaxSequence(o.getMaxSequenceTokens(), lengths, o.getAnswerReserveTokens()),
        o.getAnswerReserveTokens(), Placement.parse(o.getPlacement()),
        TrainingTemplate.parse(o.getTemplate()), decontaminate);
  }

  private static Generator parseGenerator(String value) {
    try {
      return Generator.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("unknown --generator=" + value + "; use offline");
    }
  }

  private static String require(String value, String flag) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(flag + " is required");
    }
    return value;
  }
}
