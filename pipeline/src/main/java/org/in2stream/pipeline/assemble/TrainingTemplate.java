package org.in2stream.pipeline.assemble;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders the training input and target. Templates are versioned: the id written into every record
 * ({@code film-v1}) names the exact wording, and a changed wording gets a new id, never an edit. The
 * generation prompt never appears here (prompt erasure).
 *
 * <ul>
 *   <li>{@code film-v1} (default): the shape of FILM-7B's instruction template, {@code [INST]
 *       system\n\n### Context:\n...\n\n### Instruction:\n... [/INST]}, with our own system sentence;
 *       the completion is the answer.
 *   <li>{@code chatml-v1}: ChatML turns (system, user with context and question, assistant); the
 *       completion is the answer followed by {@code <|im_end|>}.
 * </ul>
 */
public enum TrainingTemplate {
  FILM_V1("film-v1",
      "Read the context below and answer the instruction that follows it, using what the "
          + "context says.", "", "") {
    @Override
    String contextPrefix() {
      return "[INST] " + system + "\n\n### Context:\n";
    }

    @Override
    String contextSuffix(String question) {
      return "\n\n### Instruction:\n" + question + " [/INST]";
    }
  },
  CHATML_V1("chatml-v1",
      "Answer the question using what the context says.", "", "<|im_end|>") {
    @Override
    String contextPrefix() {
      return "<|im_start|>system\n" + system + "<|im_end|>\n<|im_start|>user\n### Context:\n";
    }

    @Override
    String contextSuffix(String question) {
      return "\n\n### Question:\n" + question + "<|im_end|>\n<|im_start|>assistant\n";
    }
  };

  private final String id;
  final String system;
  private final String completionPrefix;
  private final String completionSuffix;

  TrainingTemplate(String id, String system, String completionPrefix, String completionSuffix) {
    this.id = id;
    this.system = system;
    this.completionPrefix = completionPrefix;
    this.completionSuffix = completionSuffix;
  }

  /** Name and version written into every record. */
  public String id() {
    return id;
  }

  /** The training input: context and question. */
  public String render(String context, String question) {
    return contextPrefix() + context + contextSuffix(question);
  }

  /**
   * What {@link #render} puts before the context. Every shipped template ends it with a line break
   * (and starts the suffix with one), so the assembler can count a prompt as the sum of its parts.
   */
  abstract String contextPrefix();

  /** What {@link #render} puts after the context. */
  abstract String contextSuffix(String question);

  /** The training target for {@code answer}. */
  public String completion(String answer) {
    return completionPrefix + answer + completionSuffix;
  }

  /**
   * The answer of an UNANSWERABLE example (beyond the paper, docs/beyond-in2.md): a fixed sentence
   * that says the context does not hold the answer. Part of the template's version: a changed
   * wording needs a new template id.
   */
  public String abstention() {
    return ABSTENTION;
  }

  /** The abstention of both shipped templates. */
  public static final String ABSTENTION =
      "The context does not contain the answer to this question.";

  /** Where the answer starts in {@code prompt + completion}, in UTF-16 units. */
  public int answerCharOffset(String prompt) {
    return prompt.length() + completionPrefix.length();
  }

  /** The template with this id, e.g. {@code film-v1}. */
  public static TrainingTemplate parse(String id) {
    for (TrainingTemplate t : values()) {
      if (t.id.equals(id == null ? null : id.trim().toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown --template=" + id + "; use one of "
        + Arrays.stream(values()).map(TrainingTemplate::id).collect(Collectors.joining(", ")));
  }
}
