package org.in2stream.pipeline.config;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.in2stream.pipeline.assemble.LengthDistribution;
import org.in2stream.pipeline.assemble.Placement;
import org.in2stream.pipeline.assemble.TrainingTemplate;
import org.in2stream.pipeline.util.FileUris;

/**
 * What the data looks like (the IN2 recipe and its extensions), apart from where it is read and
 * written: question slots and kind mixture, context lengths, sequence budget, placement, training
 * template and decontamination.
 *
 * @param maxSequenceTokens resolved: the rendered prompt plus the answer reserve never exceed it
 * @param decontaminate file of evaluation texts, or null for none
 */
public record Recipe(
    int questionsPerDocument,
    Mixture mixture,
    LengthDistribution lengths,
    int maxSequenceTokens,
    int answerReserveTokens,
    Placement placement,
    TrainingTemplate template,
    String decontaminate)
    implements Serializable {

  /** Headroom for the template and the question when --maxSequenceTokens is left at 0 (auto). */
  public static final int AUTO_SEQUENCE_HEADROOM = 1024;

  /** The paper's defaults for tests and tools: uniform 4K-32K, shuffle, FILM template. */
  public static Recipe defaults() {
    return new Recipe(1, Mixture.PAPER, LengthDistribution.uniform(4096, 32768),
        32768 + 256 + AUTO_SEQUENCE_HEADROOM, 256, Placement.SHUFFLE, TrainingTemplate.FILM_V1,
        null);
  }

  /** {@code 0} means: the largest target length plus the reserve plus a headroom of 1024. */
  public static int resolveMaxSequence(int requested, LengthDistribution lengths, int reserve) {
    return requested > 0 ? requested : lengths.max() + reserve + AUTO_SEQUENCE_HEADROOM;
  }

  /** Adds the problems of this recipe to {@code errors}. */
  void check(List<String> errors, int maxParagraphTokens) {
    if (questionsPerDocument < 1) {
      errors.add("--questionsPerDocument must be >= 1 (got " + questionsPerDocument + ")");
    }
    if (lengths.max() > PipelineConfig.MAX_CONTEXT_LIMIT) {
      errors.add("context lengths must be <= " + PipelineConfig.MAX_CONTEXT_LIMIT + " (got "
          + lengths + ")");
    }
    if (lengths.min() < 2 * maxParagraphTokens) {
      errors.add("the smallest context length of " + lengths + " must leave room for fillers: "
          + "make it at least twice --maxParagraphTokens (" + maxParagraphTokens + ")");
    }
    if (answerReserveTokens < 0) {
      errors.add("--answerReserveTokens must be >= 0 (got " + answerReserveTokens + ")");
    }
    if (maxSequenceTokens - answerReserveTokens < lengths.min()) {
      errors.add("--maxSequenceTokens (" + maxSequenceTokens + ") minus --answerReserveTokens ("
          + answerReserveTokens + ") must hold the smallest context length of " + lengths);
    }
    // A URI (s3://...) is checked by the launcher, once the file systems know the job's options.
    if (decontaminate != null && !FileUris.isRemote(decontaminate)
        && !Files.isReadable(Path.of(decontaminate))) {
      errors.add("--decontaminate=" + decontaminate + ": no readable file there");
    }
  }
}
