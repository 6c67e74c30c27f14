package org.in2stream.pipeline.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.in2stream.pipeline.assemble.FillerHardness;
import org.in2stream.pipeline.assemble.LengthDistribution;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.assemble.TrainingTemplate;
import org.in2stream.pipeline.dedup.DedupSettings;
import org.in2stream.pipeline.sink.OutputFormat;
import org.in2stream.pipeline.source.DocumentDecoder;
import org.in2stream.pipeline.source.InputFormat;
import org.in2stream.pipeline.source.ReplayRanges;
import org.in2stream.pipeline.synth.llm.LlmSettings;
import org.in2stream.pipeline.verify.Level;
import org.in2stream.pipeline.verify.VerifySettings;
import org.in2stream.pipeline.tokenize.Tokenizers;
import org.in2stream.pipeline.util.KafkaClientProperties;

/**
 * The immutable, checked configuration that transforms receive. Cross-field rules are checked here,
 * before any data moves, and every message says what to change.
 */
public record PipelineConfig(
    String bootstrapServers,
    String inputTopic,
    DocumentDecoder.Settings input,
    long maxDocumentTokens,
    Mode mode,
    String replayFrom,
    String replayTo,
    String streamStart,
    boolean readJournal,
    long windowSeconds,
    long maxDelaySeconds,
    String consumerGroup,
    String output,
    int numShards,
    String outputTopic,
    String deadLetterTopic,
    String qaJournalTopic,
    int eosShards,
    long seed,
    String tokenizer,
    int minSegmentTokens,
    int maxParagraphTokens,
    int minContextTokens,
    int maxContextTokens,
    int fillerPoolSize,
    Generator generator,
    int maxInFlight,
    LlmSettings llm,
    Recipe recipe,
    DedupSettings dedup,
    int fillerHorizonWindows,
    int boilerplateMinDocuments,
    VerifySettings verify,
    List<OutputFormat> outputFormats,
    String kafkaProperties,
    double maxDeadLetterShare,
    FillerHardness fillerHardness,
    org.in2stream.pipeline.eval.EvalSplit.Rule evalSplit)
    implements Serializable {

  /** Bounded replay of an offset range, or a continuous stream. */
  public enum Mode {
    REPLAY,
    STREAM
  }

  /** Which QA generator to run. */
  public enum Generator {
    /** The embedded, offline, deterministic extractive generator (a stand-in for an LLM). */
    OFFLINE,
    /** Any OpenAI-compatible chat-completions server; settings in {@link #llm()}. */
    OPENAI
  }

  /** Largest context length we accept (the IN2 recipe goes to 32K; users go further). */
  public static final int MAX_CONTEXT_LIMIT = 131_072;
  /** Largest --maxDocumentBytes: a document is held in memory whole, several times over. */
  public static final long MAX_DOCUMENT_BYTES_LIMIT = 64L * 1024 * 1024;
  /** Most windows in the filler horizon: every segment is held in that many pool windows. */
  public static final int MAX_FILLER_HORIZON_WINDOWS = 1_000;

  public PipelineConfig {
    List<String> errors = new ArrayList<>();
    Tokenizers.validate(tokenizer).ifPresent(errors::add);
    if (input == null) {
      throw new IllegalArgumentException("input settings are required");
    }
    if (input.maxDocumentBytes() < 1 || input.maxDocumentBytes() > MAX_DOCUMENT_BYTES_LIMIT) {
      errors.add("--maxDocumentBytes must be between 1 and " + MAX_DOCUMENT_BYTES_LIMIT + " (got "
          + input.maxDocumentBytes() + ")");
    }
    if (maxDocumentTokens < minSegmentTokens) {
      errors.add("--maxDocumentTokens (" + maxDocumentTokens + ") must be >= --minSegmentTokens ("
          + minSegmentTokens + "), or no document could give a segment");
    }
    if (mode == Mode.REPLAY) {
      addIfPresent(errors, ReplayRanges.validate(replayFrom, "--replayFrom"));
      addIfPresent(errors, ReplayRanges.validate(replayTo, "--replayTo"));
    }
    if (!"earliest".equals(streamStart) && !"latest".equals(streamStart)) {
      errors.add("--streamStart must be earliest or latest (got " + streamStart + ")");
    }
    if (windowSeconds < 1) {
      errors.add("--windowSeconds must be >= 1 (got " + windowSeconds + ")");
    }
    if (maxDelaySeconds < 0) {
      errors.add("--maxDelaySeconds must be >= 0 (got " + maxDelaySeconds + ")");
    }
    if (output == null && outputTopic == null) {
      errors.add("set --output (Avro files) or --outputTopic (Kafka), or both");
    }
    if (eosShards < 1) {
      errors.add("--eosShards must be >= 1 (got " + eosShards + ")");
    }
    if (readJournal && qaJournalTopic != null) {
      errors.add("--readJournal reads a journal; it cannot also write one (--qaJournalTopic)");
    }
    if (numShards < 1) {
      errors.add("--numShards must be >= 1 (got " + numShards + ")");
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
    if (outputFormats == null || outputFormats.isEmpty()) {
      errors.add("--outputFormats must name at least one of avro, parquet, jsonl");
    }
    if (maxContextTokens > MAX_CONTEXT_LIMIT) {
      errors.add("--maxContextTokens must be <= " + MAX_CONTEXT_LIMIT + " (got "
          + maxContextTokens + ")");
    }
    recipe.check(errors, maxParagraphTokens);
    if (fillerPoolSize < 1) {
      errors.add("--fillerPoolSize must be >= 1 (got " + fillerPoolSize + ")");
    }
    if (fillerHorizonWindows < 1 || fillerHorizonWindows > MAX_FILLER_HORIZON_WINDOWS) {
      errors.add("--fillerHorizonWindows must be between 1 and " + MAX_FILLER_HORIZON_WINDOWS
          + " (got " + fillerHorizonWindows + ")");
    }
    if (boilerplateMinDocuments == 1 || boilerplateMinDocuments < 0) {
      errors.add("--boilerplateMinDocuments must be 0 (off) or >= 2 (got "
          + boilerplateMinDocuments + ")");
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
    if (dedup == null) {
      throw new IllegalArgumentException("dedup settings are required");
    }
    dedup.check(errors);
    if (!(maxDeadLetterShare >= 0 && maxDeadLetterShare <= 1)) {
      errors.add("--maxDeadLetterShare must be between 0 and 1 (got " + maxDeadLetterShare + ")");
    }
    if (fillerHardness == null) {
      throw new IllegalArgumentException("filler hardness settings are required");
    }
    if (evalSplit != null && output == null) {
      errors.add("--evalSplit writes the evaluation side under --output/eval/: set --output");
    }
    if (evalSplit != null && readJournal) {
      errors.add("--evalSplit routes documents, and --readJournal reads none (the journal holds "
          + "training QA pairs only); drop one of them");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid configuration:\n  - "
          + String.join("\n  - ", errors));
    }
  }

  /** Reads and checks the options once. */
  public static PipelineConfig from(In2Options o) {
    Generator generator = parseEnum(Generator.class, o.getGenerator(), "--generator");
    if (generator == Generator.OFFLINE && o.getLlmUrl() != null && !o.getLlmUrl().isBlank()) {
      // Without this, the run would use the offline stand-in and never call the server named.
      throw new IllegalArgumentException("--llmUrl=" + o.getLlmUrl() + " is set but --generator="
          + o.getGenerator() + " never calls it; add --generator=openai (and --llmModel), or drop "
          + "--llmUrl");
    }
    return new PipelineConfig(
        require(o.getBootstrapServers(), "--bootstrapServers"),
        require(o.getInputTopic(), "--inputTopic"),
        new DocumentDecoder.Settings(InputFormat.parse(o.getInputFormat()),
            o.getMaxDocumentBytes()),
        o.getMaxDocumentTokens(),
        parseEnum(Mode.class, o.getMode(), "--mode"),
        o.getReplayFrom(),
        o.getReplayTo(),
        o.getStreamStart(),
        o.getReadJournal(),
        o.getWindowSeconds(),
        o.getMaxDelaySeconds(),
        o.getConsumerGroup(),
        blankToNull(o.getOutput()),
        o.getNumShards(),
        blankToNull(o.getOutputTopic()),
        blankToNull(o.getDeadLetterTopic()),
        blankToNull(o.getQaJournalTopic()),
        o.getEosShards(),
        o.getSeed(),
        o.getTokenizer(),
        o.getMinSegmentTokens(),
        o.getMaxParagraphTokens(),
        o.getMinContextTokens(),
        o.getMaxContextTokens(),
        o.getFillerPoolSize(),
        generator,
        o.getMaxInFlight(),
        generator == Generator.OPENAI ? llmSettings(o) : null,
        recipe(o),
        new DedupSettings(o.getDedupHorizonHours(), o.getNearDuplicateThreshold(),
            o.getDuplicateQuestionThreshold(), o.getRecrawlThreshold()),
        o.getFillerHorizonWindows(),
        o.getBoilerplateMinDocuments(),
        verifySettings(o, generator == Generator.OPENAI),
        OutputFormat.parseList(o.getOutputFormats()),
        blankToNull(o.getKafkaProperties()),
        o.getMaxDeadLetterShare(),
        FillerHardness.parse(o.getFillerHardness(), o.getConfuserShare(),
            o.getRecordHardness()),
        org.in2stream.pipeline.eval.EvalSplit.parse(o.getEvalSplit()));
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
        o.getSeed(),
        o.getLlmCacheMode(),
        o.getVerifierModel(),
        o.getLlmContextTokens());
  }

  /** The verification chain's settings; {@code --verify=auto} is full with an LLM, else lexical. */
  public static VerifySettings verifySettings(In2Options o, boolean haveModel) {
    String v = o.getVerify() == null ? "auto" : o.getVerify().trim();
    Level level = v.equalsIgnoreCase("auto") ? VerifySettings.defaultLevel(haveModel)
        : Level.parse(v);
    if (level == Level.FULL && !haveModel) {
      throw new IllegalArgumentException("--verify=full asks a verifier model: it needs "
          + "--generator=openai (use --verify=lexical with the offline generator)");
    }
    return new VerifySettings(level, o.getQaAttempts(), o.getMaxQuestionOverlap(),
        VerifySettings.DEFAULT_CLOSED_BOOK_F1, !o.getKeepClosedBook(),
        VerifySettings.DEFAULT_ABLATION_F1);
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

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String flag) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      List<String> names = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        names.add(c.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException("unknown " + flag + "=" + value + "; use one of "
          + names);
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static void addIfPresent(List<String> errors, String error) {
    if (error != null) {
      errors.add(error);
    }
  }

  /**
   * The extra Kafka client properties of {@code --kafkaProperties}, as references that each client
   * resolves by reading the file where it runs ({@link KafkaClientProperties}); empty without it.
   */
  public java.util.Map<String, Object> kafkaClientProperties() {
    return KafkaClientProperties.load(kafkaProperties);
  }

  /** The window length as a Joda duration. */
  public org.joda.time.Duration window() {
    return org.joda.time.Duration.standardSeconds(windowSeconds);
  }

  private static String require(String value, String flag) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(flag + " is required");
    }
    return value;
  }
}
