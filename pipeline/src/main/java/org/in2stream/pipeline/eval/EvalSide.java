package org.in2stream.pipeline.eval;

import org.apache.beam.sdk.values.PCollection;
import org.in2stream.pipeline.sink.DeterministicAvroFiles;
import org.in2stream.schema.Document;
import org.in2stream.schema.QaPair;

/**
 * What the evaluation side of {@link EvalSplit} keeps: its documents and the verified QA pairs made
 * from them (by the same generator, cache and verification chain as training, under the step
 * {@code SynthesizeEvalQa}). Written next to the training output, under {@code <output>/eval/}, as
 * deterministic Avro files; the {@code BuildProbes} tool cuts the probes from them.
 */
public record EvalSide(PCollection<Document> documents, PCollection<QaPair> qa) {
  /** The folder under {@code --output}. */
  public static final String DIR = "eval";
  public static final String DOCUMENTS_DIR = "documents";
  public static final String QA_DIR = "qa";

  /** The file id of an evaluation QA pair: its document and request key. */
  public static String qaId(QaPair qa) {
    return qa.getDocId() + "/" + qa.getRequestKey();
  }

  /** Writes both collections under {@code <output>/eval/}. */
  public void write(String output, int numShards) {
    String base = (output.endsWith("/") ? output : output + "/") + DIR + "/";
    documents.apply("WriteEvalDocuments", new DeterministicAvroFiles<>(Document.class,
        base + DOCUMENTS_DIR, numShards, Document::getId));
    qa.apply("WriteEvalQa", new DeterministicAvroFiles<>(QaPair.class, base + QA_DIR, numShards,
        EvalSide::qaId));
  }
}
