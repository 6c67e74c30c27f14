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

  @Description("How values of --inputTopic are read: auto (per value: JSON if it starts with '{', "
      + "HTML if it starts like a page, else text), text, json ({text, id?, url?, lang?, "
      + "fetched_at?}) or html (text extracted with jsoup)")
  @Default.String("auto")
  String getInputFormat();

  void setInputFormat(String value);

  @Description("A value larger than this many bytes is a DOCUMENT_TOO_LARGE dead letter, never "
      + "decoded (Kafka's own limits must let it through: see README, Large documents)")
  @Default.Long(2_097_152L)
  long getMaxDocumentBytes();

  void setMaxDocumentBytes(long value);

  @Description("A document with more tokens (of --tokenizer) is a TOO_MANY_TOKENS dead letter; "
      + "counting stops just past the limit")
  @Default.Long(500_000L)
  long getMaxDocumentTokens();

  void setMaxDocumentTokens(long value);

  @Description("replay: read a bounded offset range and end; stream: read continuously until "
      + "cancelled")
  @Default.String("replay")
  String getMode();

  void setMode(String value);

  @Description("replay start: earliest, latest, @<epoch-millis>, or <partition>:<offset>,...")
  @Default.String("earliest")
  String getReplayFrom();

  void setReplayFrom(String value);

  @Description("replay end (exclusive): latest (the end offsets when the job starts), "
      + "@<epoch-millis>, or <partition>:<offset>,...")
  @Default.String("latest")
  String getReplayTo();

  void setReplayTo(String value);

  @Description("stream start for partitions without a committed offset of --consumerGroup: "
      + "earliest or latest")
  @Default.String("earliest")
  String getStreamStart();

  void setStreamStart(String value);

  @Description("Read QA pairs from --inputTopic as a QA journal (written by --qaJournalTopic) "
      + "instead of raw documents: contexts are re-assembled without calling the generator")
  @Default.Boolean(false)
  boolean getReadJournal();

  void setReadJournal(boolean value);

  @Description("Event-time window length in seconds; the filler pool of an example is built from "
      + "its window and the --fillerHorizonWindows - 1 windows before it")
  @Default.Long(600L)
  long getWindowSeconds();

  void setWindowSeconds(long value);

  @Description("A record whose Kafka timestamp is more than this many seconds behind the newest "
      + "one of its partition takes that bound as its event time")
  @Default.Long(60L)
  long getMaxDelaySeconds();

  void setMaxDelaySeconds(long value);

  @Description("Kafka consumer group id (offsets are committed for monitoring only)")
  @Default.String("in2-stream")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description("Output folder: examples/ and dead-letters/ are written below it (optional when "
      + "--outputTopic is set)")
  String getOutput();

  void setOutput(String value);

  @Description("Avro files per output and window (records are sharded by a hash of their id)")
  @Default.Integer(1)
  int getNumShards();

  void setNumShards(int value);

  @Description("File formats written beside each other under --output, same records in the same "
      + "order: any of avro, parquet, jsonl, comma-separated")
  @Default.String("avro")
  String getOutputFormats();

  void setOutputFormats(String value);

  @Description("Kafka topic for the examples (Avro single-object encoding, written exactly-once)")
  String getOutputTopic();

  void setOutputTopic(String value);

  @Description("Kafka topic for the dead letters (Avro single-object encoding, exactly-once)")
  String getDeadLetterTopic();

  void setDeadLetterTopic(String value);

  @Description("Kafka topic to journal every QA pair to (exactly-once), for re-assembly later")
  String getQaJournalTopic();

  void setQaJournalTopic(String value);

  @Description("Parallelism of each exactly-once Kafka writer")
  @Default.Integer(2)
  int getEosShards();

  void setEosShards(int value);

  @Description("Global seed: every random choice derives from it and a stable id")
  @Default.Long(42L)
  long getSeed();

  void setSeed(long value);

  @Description("Tokenizer that counts every length: tiktoken:cl100k_base, tiktoken:o200k_base, or "
      + "hf:/path/to/tokenizer.json (any Hugging Face tokenizer; the file must exist on every worker)")
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

  @Description("Target context lengths: uniform (between --minContextTokens and --maxContextTokens) "
      + "or buckets:4096,8192,16384,32768 (equally likely; LENGTH=WEIGHT for weights)")
  @Default.String("uniform")
  String getLengthDistribution();

  void setLengthDistribution(String value);

  @Description("Most tokens of the rendered prompt plus the answer reserve (0: the largest context "
      + "length + the reserve + 1024)")
  @Default.Integer(0)
  int getMaxSequenceTokens();

  void setMaxSequenceTokens(int value);

  @Description("Tokens kept free for the answer within --maxSequenceTokens (a longer answer keeps "
      + "its own length)")
  @Default.Integer(256)
  int getAnswerReserveTokens();

  void setAnswerReserveTokens(int value);

  @Description("Question slots per document (fine-grained ones each about a different segment; at "
      + "most one multi-segment)")
  @Default.Integer(1)
  int getQuestionsPerDocument();

  void setQuestionsPerDocument(int value);

  @Description("Mixture of fine-grained : multi-segment : short-context examples as weights "
      + "(K and M suffixes allowed); default the paper's 1.1M:300K:150K")
  @Default.String("1.1M:300K:150K")
  String getMixture();

  void setMixture(String value);

  @Description("Placement of the source segments among fillers: shuffle (the paper) or stratified "
      + "(every depth decile gets the same share of answers)")
  @Default.String("shuffle")
  String getPlacement();

  void setPlacement(String value);

  @Description("Training template (versioned): film-v1 or chatml-v1")
  @Default.String("film-v1")
  String getTemplate();

  void setTemplate(String value);

  @Description("File of evaluation texts (plain text, or JSON lines with a text field); documents "
      + "sharing a 10-gram with any of them become CONTAMINATED dead letters")
  String getDecontaminate();

  void setDecontaminate(String value);

  @Description("Segments kept in the filler pool (a deterministic bottom-k sample by hash)")
  @Default.Integer(20000)
  int getFillerPoolSize();

  void setFillerPoolSize(int value);

  @Description("Filler horizon: the filler pool (and the boilerplate count) of a window is built "
      + "from the segments of this many windows, the window itself and the ones before it")
  @Default.Integer(12)
  int getFillerHorizonWindows();

  void setFillerHorizonWindows(int value);

  @Description("A segment whose whitespace-normalised text occurs in at least this many distinct "
      + "documents of the filler horizon is boilerplate: never asked about, never a filler "
      + "(0 turns the rule off)")
  @Default.Integer(3)
  int getBoilerplateMinDocuments();

  void setBoilerplateMinDocuments(int value);

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
  @Default.String("in2-qa-v2")
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

  @Description("Deduplication horizon in hours of event time: a document (or question) is compared "
      + "with every one seen this long before it; state older than that is dropped")
  @Default.Long(168L)
  long getDedupHorizonHours();

  void setDedupHorizonHours(long value);

  @Description("Estimated Jaccard similarity (word 5-gram MinHash) at or above which a document is "
      + "a NEAR_DUPLICATE of an earlier one")
  @Default.Double(0.8)
  double getNearDuplicateThreshold();

  void setNearDuplicateThreshold(double value);

  @Description("Estimated Jaccard similarity (word 5-gram MinHash) at or above which a later fetch "
      + "of the same page (equal document id: the JSON id or the url) is a NEAR_DUPLICATE of the "
      + "earlier one, compared directly rather than through LSH; 0 = off")
  @Default.Double(org.in2stream.pipeline.dedup.DedupSettings.DEFAULT_RECRAWL_THRESHOLD)
  double getRecrawlThreshold();

  void setRecrawlThreshold(double value);

  @Description("Estimated Jaccard similarity (word-bigram MinHash of question and answer together) "
      + "at or above which a QA pair whose answer matches an earlier one's is a DUPLICATE_QUESTION "
      + "of it; 0 = off")
  @Default.Double(org.in2stream.pipeline.dedup.DedupSettings.DEFAULT_QUESTION_THRESHOLD)
  double getDuplicateQuestionThreshold();

  void setDuplicateQuestionThreshold(double value);

  @Description("Verification chain (docs/verification.md): none, lexical (evidence, grounding, piece "
      + "necessity, literal overlap), full (lexical + closed-book and ablation calls), or auto "
      + "(full with --generator=openai, lexical offline)")
  @Default.String("auto")
  String getVerify();

  void setVerify(String value);

  @Description("Responses asked per question slot, each with its own sampling seed and cache key, "
      + "before a rejected slot becomes a dead letter")
  @Default.Integer(2)
  int getQaAttempts();

  void setQaAttempts(int value);

  @Description("Drop QA pairs whose question shares more than this share of its content words "
      + "with its evidence (NoLiMa literal overlap); 1.0 = off")
  @Default.Double(1.0)
  double getMaxQuestionOverlap();

  void setMaxQuestionOverlap(double value);

  @Description("Keep QA pairs the verifier answers without context (flagged by closedBookScore) "
      + "instead of dead-lettering them as CLOSED_BOOK_ANSWERABLE")
  @Default.Boolean(false)
  boolean getKeepClosedBook();

  void setKeepClosedBook(boolean value);

  @Description("Model asked by the verification calls (ablation, closed-book); default --llmModel")
  String getVerifierModel();

  void setVerifierModel(String value);

  @Description("Response cache use: readwrite (a miss calls the server) or replay (a strict "
      + "rebuild: no call at all, a miss is the dead letter LLM_NOT_CACHED)")
  @Default.String("readwrite")
  String getLlmCacheMode();

  void setLlmCacheMode(String value);

  @Description("Context window of the served model in tokens: a multi-segment request sends a window "
      + "of consecutive pieces that fits both it and --maxContextTokens")
  @Default.Integer(131072)
  int getLlmContextTokens();

  void setLlmContextTokens(int value);

  @Description("Java properties file of extra Kafka client settings (security.protocol, sasl.*, "
      + "ssl.*, ...) for every admin client, consumer and producer of the job; it must exist at "
      + "this path on the launcher and on every worker, and is read there (passwords stay in the "
      + "file or in ${env:NAME} references, never in options)")
  String getKafkaProperties();

  void setKafkaProperties(String value);

  @Description("A bounded run exits non-zero when more than this share of its outputs (examples "
      + "plus dead letters) are dead letters")
  @Default.Double(0.5)
  double getMaxDeadLetterShare();

  void setMaxDeadLetterShare(double value);

  @Description("How fillers are chosen (beyond the paper, docs/beyond-in2.md): random (the "
      + "paper), similar (the pool's segments most similar to the evidence, never one that holds "
      + "the answer) or mixed:<share> (that share of examples similar, the rest random)")
  @Default.String("random")
  String getFillerHardness();

  void setFillerHardness(String value);

  @Description("Share (0-1) of each long context's filler tokens given to confusers: segments "
      + "that share the question's key terms but do not hold the answer; 0 (off) by default")
  @Default.Double(0)
  double getConfuserShare();

  void setConfuserShare(double value);

  @Description("Record every example's hardness (mean similarity of its fillers to the evidence) "
      + "even with --fillerHardness=random and no confusers (other settings always record it)")
  @Default.Boolean(false)
  boolean getRecordHardness();

  void setRecordHardness(boolean value);

  @Description("Evaluation split: none (default), hash:<share> (a seeded hash of the stable document "
      + "id below <share> routes the document to evaluation, e.g. hash:0.1) or after:<ISO instant> "
      + "(documents with a Kafka timestamp at or after it). Evaluation documents are never a "
      + "training source or filler; their documents and QA pairs go to <output>/eval/ for the "
      + "BuildProbes tool (docs/eval-probes.md)")
  @Default.String("none")
  String getEvalSplit();

  void setEvalSplit(String value);
}
