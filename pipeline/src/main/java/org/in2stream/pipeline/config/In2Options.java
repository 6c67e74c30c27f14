package org.in2stream.pipeline.config;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Command-line options of the job. Converted once into {@link PipelineConfig}; transforms never see
 * this interface. No secret ever goes here: options are visible in the Flink web UI.
 */
public interface In2Options extends PipelineOptions {
  @Description("Kafka bootstrap servers, e.g. localhost:9092")
  @Validation.Required
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description("Kafka topic of raw documents (plain UTF-8 text or JSON {id?, url?, text})")
  @Validation.Required
  String getInputTopic();

  void setInputTopic(String value);

  @Description("Read this many records from the earliest offsets, then end (a bounded run)")
  @Validation.Required
  Long getMaxRecords();

  void setMaxRecords(Long value);

  @Description("Kafka consumer group id (offsets are committed for monitoring only)")
  @Default.String("in2-stream")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description("Output folder: examples/ and dead-letters/ are written below it")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Number of Avro files per output (0 lets the runner decide)")
  @Default.Integer(1)
  int getNumShards();

  void setNumShards(int value);

  @Description("Global seed: every random choice derives from it and a stable id")
  @Default.Long(42L)
  long getSeed();

  void setSeed(long value);

  @Description("Tokenizer that counts every length: tiktoken:cl100k_base, tiktoken:o200k_base, ...")
  @Default.String("tiktoken:cl100k_base")
  String getTokenizer();

  void setTokenizer(String value);

  @Description("IN2 segment budget: a segment closes once it holds at least this many tokens")
  @Default.Integer(128)
  int getMinSegmentTokens();

  void setMinSegmentTokens(int value);

  @Description("A paragraph above this many tokens is cut at sentences, then at tokens")
  @Default.Integer(512)
  int getMaxParagraphTokens();

  void setMaxParagraphTokens(int value);

  @Description("Smallest sampled context length, in tokens")
  @Default.Integer(4096)
  int getMinContextTokens();

  void setMinContextTokens(int value);

  @Description("Largest sampled context length, in tokens (the target is uniform between min and max)")
  @Default.Integer(32768)
  int getMaxContextTokens();

  void setMaxContextTokens(int value);

  @Description("Fine-grained questions asked per document (each about a different segment)")
  @Default.Integer(1)
  int getFineGrainedPerDocument();

  void setFineGrainedPerDocument(int value);

  @Description("Chance that a document with two or more segments also gets a multi-segment question "
      + "(default 300K/1.1M, the paper's ratio)")
  @Default.Double(0.2727)
  double getMultiSegmentRate();

  void setMultiSegmentRate(double value);

  @Description("Share of QA pairs kept as short-context examples with only their own text "
      + "(default 150K/1.55M, the paper's ratio)")
  @Default.Double(0.0968)
  double getShortContextRate();

  void setShortContextRate(double value);

  @Description("Segments kept in the filler pool (a deterministic bottom-k sample by hash)")
  @Default.Integer(20000)
  int getFillerPoolSize();

  void setFillerPoolSize(int value);

  @Description("QA generator: offline (the embedded, deterministic stand-in for an LLM) or openai "
      + "(any OpenAI-compatible chat-completions server: vLLM, Ollama, TGI, llama.cpp, OpenAI)")
  @Default.String("offline")
  String getGenerator();

  void setGenerator(String value);

  @Description("Most generator calls in flight per worker (per parallel instance of SynthesizeQa)")
  @Default.Integer(64)
  int getMaxInFlight();

  void setMaxInFlight(int value);

  // ---- the OpenAI-compatible generator (--generator=openai). No secret here: options are shown in
  // ---- the Flink web UI. The API key is read on the worker from --llmApiKeyEnv or --llmApiKeyFile.

  @Description("Base URL of the OpenAI-compatible server, e.g. http://localhost:8000/v1")
  String getLlmUrl();

  void setLlmUrl(String value);

  @Description("Model name to request, as the server knows it")
  String getLlmModel();

  void setLlmModel(String value);

  @Description("Name of the environment variable that holds the API key on each worker")
  @Default.String("OPENAI_API_KEY")
  String getLlmApiKeyEnv();

  void setLlmApiKeyEnv(String value);

  @Description("Path of a file on each worker that holds the API key (wins over --llmApiKeyEnv)")
  String getLlmApiKeyFile();

  void setLlmApiKeyFile(String value);

  @Description("Sampling temperature")
  @Default.Double(0.2)
  double getLlmTemperature();

  void setLlmTemperature(double value);

  @Description("Most tokens per reply (max_tokens); a reply cut at this limit is a dead letter")
  @Default.Integer(512)
  int getLlmMaxTokens();

  void setLlmMaxTokens(int value);

  @Description("The request's seed field (sent only when set)")
  Long getLlmSeed();

  void setLlmSeed(Long value);

  @Description("JSON object merged into every request body, e.g. {\"top_p\":0.9}")
  String getLlmExtraBody();

  void setLlmExtraBody(String value);

  @Description("Timeout of one call, in milliseconds")
  @Default.Long(60_000L)
  long getLlmRequestTimeoutMs();

  void setLlmRequestTimeoutMs(long value);

  @Description("Retries after the first call on 429, 5xx, timeouts and connection errors")
  @Default.Integer(6)
  int getLlmMaxRetries();

  void setLlmMaxRetries(int value);

  @Description("Wall time one request may take with all its retries, in milliseconds (keep it "
      + "below half the checkpoint timeout, since a checkpoint may wait two budgets; at most 240000)")
  @Default.Long(120_000L)
  long getLlmRetryBudgetMs();

  void setLlmRetryBudgetMs(long value);

  @Description("First backoff wait, in milliseconds (doubles per retry, with jitter)")
  @Default.Long(500L)
  long getLlmBackoffBaseMs();

  void setLlmBackoffBaseMs(long value);

  @Description("Longest backoff wait, in milliseconds (a longer Retry-After is still honored)")
  @Default.Long(30_000L)
  long getLlmBackoffMaxMs();

  void setLlmBackoffMaxMs(long value);

  @Description("Structured output: json_schema, json_object or none (falls back by itself when the "
      + "server rejects it)")
  @Default.String("json_schema")
  String getLlmResponseFormat();

  void setLlmResponseFormat(String value);

  @Description("Version of the generation prompt templates")
  @Default.String("in2-qa-v1")
  String getLlmPromptVersion();

  void setLlmPromptVersion(String value);

  @Description("Response cache: file:DIR (embedded, the default), redis://host:port[/db] "
      + "(networked, for a cluster; password from IN2_LLM_CACHE_PASSWORD on the workers) or none")
  @Default.String("file:.local/llm-cache")
  String getLlmCache();

  void setLlmCache(String value);

  @Description("Price of prompt tokens in USD per million, for the cost metric")
  @Default.Double(0)
  double getLlmPriceInputPerMTok();

  void setLlmPriceInputPerMTok(double value);

  @Description("Price of completion tokens in USD per million, for the cost metric")
  @Default.Double(0)
  double getLlmPriceOutputPerMTok();

  void setLlmPriceOutputPerMTok(double value);
}
