package org.in2stream.pipeline.assemble;

/**
 * Renders the training input. The default follows the shape of FILM-7B's instruction template
 * ({@code [INST] system\n\n### Context:\n...\n\n### Instruction:\n... [/INST]}), with our own system
 * sentence. The generation prompt never appears here (prompt erasure).
 */
public enum TrainingTemplate {
  FILM_V1("film-v1",
      "Read the context below and answer the instruction that follows it, using what the "
          + "context says.");

  private final String id;
  private final String system;

  TrainingTemplate(String id, String system) {
    this.id = id;
    this.system = system;
  }

  /** Name and version written into every record. */
  public String id() {
    return id;
  }

  public String render(String context, String question) {
    return "[INST] " + system + "\n\n### Context:\n" + context + "\n\n### Instruction:\n" + question
        + " [/INST]";
  }
}
