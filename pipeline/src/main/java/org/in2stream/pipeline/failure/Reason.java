package org.in2stream.pipeline.failure;

/**
 * The fixed list of dead-letter reason codes. docs/dead-letters.md documents each one; add new
 * codes at the end and never reuse or rename one, because operators alert on them.
 */
public enum Reason {
  /** The Kafka record had no value (a tombstone). */
  NULL_VALUE("the Kafka record has a null value (tombstone)"),
  /** The value is not valid UTF-8; it is never decoded with replacement characters. */
  INVALID_UTF8("the value is not valid UTF-8"),
  /** The value looks like a JSON object but does not parse. */
  INVALID_JSON("the value starts with '{' but is not a valid JSON object"),
  /** A JSON object without a string field "text". */
  MISSING_TEXT("the JSON object has no string field \"text\""),
  /** Nothing but whitespace after decoding. */
  EMPTY("the document is empty or whitespace only"),
  /** Fewer tokens than one segment needs. */
  TOO_SHORT("the document has fewer tokens than one segment needs"),
  /** The generator could not produce a grounded QA pair from the text. */
  NO_QA("the generator produced no grounded question for this text"),
  /** The generator failed (error, timeout, malformed output). */
  GENERATOR_ERROR("the generator call failed"),
  /** The document's own segments are longer than the sampled context length. */
  SOURCE_LONGER_THAN_TARGET("the source segments alone exceed the sampled context length"),
  /** The filler pool of the window holds too few segments of other documents. */
  INSUFFICIENT_FILLER("not enough filler segments from other documents to reach the target length"),
  /** An unexpected exception inside a step; the input is kept, the job goes on. */
  INTERNAL_ERROR("unexpected error while processing this input"),
  /** The document shares a 10-gram with an evaluation text (--decontaminate). */
  CONTAMINATED("the document shares a 10-gram with an evaluation text"),
  /** A record of the QA journal topic that does not decode as a QaPair. */
  INVALID_JOURNAL_RECORD("the QA journal record is not an Avro single-object encoded QaPair"),
  /** The LLM server kept answering 429 until the retry budget or the retry count ran out. */
  LLM_RATE_LIMITED("the LLM server kept rate-limiting (429) until the retry budget ran out"),
  /** The LLM server kept answering 5xx until the retry budget or the retry count ran out. */
  LLM_SERVER_ERROR("the LLM server kept failing (5xx) until the retry budget ran out"),
  /** Calls kept timing out until the retry budget or the retry count ran out. */
  LLM_TIMEOUT("LLM calls kept timing out until the retry budget ran out"),
  /** The server could not be reached (connection refused, reset, DNS) until the budget ran out. */
  LLM_CONNECTION_ERROR("the LLM server could not be reached until the retry budget ran out"),
  /** A 4xx other than 429: the request itself is wrong (bad model, bad key, bad parameters). */
  LLM_REQUEST_REJECTED("the LLM server rejected the request (4xx other than 429); not retried"),
  /** The HTTP body, or the message content, is not JSON. */
  LLM_NOT_JSON("the LLM response or its message content is not JSON"),
  /** JSON, but not a chat completion, or the content lacks the question/answer fields. */
  LLM_WRONG_SHAPE("the LLM response is JSON but not of the expected shape"),
  /** A chat completion with no choices, or a choice without content. */
  LLM_EMPTY_CHOICES("the LLM response has no choices or no message content"),
  /** finish_reason=length: the output was cut at the token limit. */
  LLM_TRUNCATED("the LLM output was cut at the token limit (finish_reason=length)"),
  /** The model refused or its output was filtered (refusal, finish_reason=content_filter). */
  LLM_REFUSED("the LLM refused or its output was filtered"),
  /** The answer is not supported by the text it was asked about. */
  LLM_UNGROUNDED("the LLM answer is not grounded in the source text"),
  /** The output repeats the canary of the system prompt: the prompt leaked. */
  LLM_PROMPT_LEAK("the LLM output echoes the system prompt's canary"),
  /** The output looks like it follows instructions planted in the crawled text. */
  LLM_INJECTION_SUSPECTED("the LLM output looks like it follows injected instructions"),
  /** NUL bytes, a binary file signature, or too many control characters: not text. */
  BINARY("the value is binary (NUL bytes, a PDF/PNG/ZIP/GZIP/JPEG/GIF signature, or more than 5% "
      + "control characters)"),
  /** Larger than --maxDocumentBytes: rejected before decoding. */
  DOCUMENT_TOO_LARGE("the value is larger than --maxDocumentBytes; it is not decoded"),
  /** More tokens than --maxDocumentTokens; counting stops just past the limit. */
  TOO_MANY_TOKENS("the document has more tokens than --maxDocumentTokens"),
  /** The same text as an earlier document (event time, then Kafka position) within the horizon. */
  DUPLICATE("the same cleaned text as an earlier document (by event time, then topic, partition, "
      + "offset) seen within --dedupHorizonHours; the message names the kept copy"),
  /** Text before cleaning, nothing but whitespace after HTML extraction and invisible-character removal. */
  EMPTY_AFTER_CLEANING("no text left after HTML extraction and removal of invisible and control "
      + "characters"),
  /** A UTF-16 byte order mark followed by bytes that are not valid UTF-16. */
  INVALID_UTF16("the value starts with a UTF-16 byte order mark but is not valid UTF-16"),
  /** MinHash/LSH: an earlier document of the horizon is at least --nearDuplicateThreshold alike. */
  NEAR_DUPLICATE("an earlier document seen within --dedupHorizonHours has an estimated Jaccard "
      + "similarity (word 5-gram MinHash) of at least --nearDuplicateThreshold, or is an earlier "
      + "fetch of the same page (equal document id) at least --recrawlThreshold alike; the message "
      + "names it"),
  /** An earlier QA pair of the horizon asks nearly the same question. */
  DUPLICATE_QUESTION("an earlier QA pair seen within --dedupHorizonHours asks the same question "
      + "again: question and answer of estimated Jaccard similarity (word-bigram MinHash) at least "
      + "--duplicateQuestionThreshold, the same answer and the same names and numbers; the message "
      + "names it"),
  /** Two examples with the same id but different content reached the sinks: both are kept here. */
  DUPLICATE_EXAMPLE_ID("two different examples got the same example id; every copy is a dead "
      + "letter, none is written as an example"),
  /** Every segment of the document repeats across documents of the filler horizon. */
  BOILERPLATE_ONLY("every segment of the document is boilerplate (its text is in at least "
      + "--boilerplateMinDocuments documents of the filler horizon); nothing left to ask about"),
  /** Verification: a quote given as evidence does not occur in the piece it names. */
  QUOTE_NOT_IN_SOURCE("a quote the generator gave as evidence does not occur in the piece it names"),
  /** Verification: an answer word or number is not a whole token of the quoted evidence. */
  NOT_GROUNDED_IN_EVIDENCE("a content word or number of the answer is not in the quoted evidence"),
  /** Verification (lexical): a multi-segment answer is fully supported without one cited piece. */
  PIECE_NOT_NEEDED("a multi-segment answer is fully supported by the other pieces' quotes"),
  /** Verification (LLM ablation): the question is still answered with one cited piece removed. */
  ANSWERABLE_WITHOUT_PIECE("the verifier still answers the question with one cited piece removed"),
  /** Verification: the verifier answers the question with no context at all. */
  CLOSED_BOOK_ANSWERABLE("the verifier answers the question without any context"),
  /** Verification: the question copies too much of its evidence (--maxQuestionOverlap). */
  QUESTION_OVERLAP_TOO_HIGH("the question shares more of its words with the evidence than "
      + "--maxQuestionOverlap allows"),
  /** Strict rebuild (--llmCacheMode=replay): the response is not in the cache; no call is made. */
  LLM_NOT_CACHED("--llmCacheMode=replay and the response cache does not hold this request");

  private final String meaning;

  Reason(String meaning) {
    this.meaning = meaning;
  }

  /** One line for docs/dead-letters.md and for operators. */
  public String meaning() {
    return meaning;
  }
}
