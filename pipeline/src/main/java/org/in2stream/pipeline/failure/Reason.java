package org.in2stream.pipeline.failure;

/**
 * The fixed list of dead-letter reason codes. The README documents each one; add new codes at the end
 * and never reuse or rename one, because operators alert on them.
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
  INVALID_JOURNAL_RECORD("the QA journal record is not an Avro single-object encoded QaPair");

  private final String meaning;

  Reason(String meaning) {
    this.meaning = meaning;
  }

  /** One line for the README and for operators. */
  public String meaning() {
    return meaning;
  }
}
