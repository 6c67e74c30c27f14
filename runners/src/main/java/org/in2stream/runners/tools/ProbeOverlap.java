package org.in2stream.runners.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.in2stream.pipeline.assemble.ContextAssembler;
import org.in2stream.pipeline.decontaminate.NGramIndex;
import org.in2stream.pipeline.eval.EvalSide;
import org.in2stream.schema.Document;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.Probe;

/**
 * The dataset card's evaluation section: are the probes apart from the training data? Two checks on
 * the files themselves: the evaluation documents that a training example uses as source or filler
 * (by id; 0 by construction of {@code --evalSplit}), and the probes whose context shares a 10-gram
 * ({@link NGramIndex}: NFKC, lower case, words) with the text of any training example (text that
 * two different documents share, which dedup does not catch, shows up here).
 */
public final class ProbeOverlap {
  private ProbeOverlap() {}

  /** The figures of the section. */
  public record Figures(int evalDocuments, int evalDocumentsInTraining, int probes,
      int trainingPieces, int probesWithOverlap, List<String> examples) {}

  /** The figures, or empty when {@code output} has no probes. */
  public static Optional<Figures> figures(Path output, List<LongContextExample> examples)
      throws IOException {
    Path probesFile = output.resolve(EvalSide.DIR).resolve(BuildProbes.PROBES_DIR)
        .resolve(BuildProbes.JSONL);
    if (!Files.isRegularFile(probesFile)) {
      return Optional.empty();
    }
    List<Probe> probes = BuildProbes.read(probesFile);
    List<Document> evalDocs = OutputReport.readAll(output.resolve(EvalSide.DIR)
        .resolve(EvalSide.DOCUMENTS_DIR), Document.class, Document.getClassSchema());
    Set<String> trainingDocs = new TreeSet<>();
    Set<String> pieces = new LinkedHashSet<>();
    for (LongContextExample e : examples) {
      trainingDocs.add(e.getSourceDocId());
      trainingDocs.addAll(e.getFillerDocIds());
      for (String piece : e.getContext().split(ContextAssembler.SEPARATOR)) {
        pieces.add(piece.replace('\n', ' '));
      }
    }
    int evalInTraining = 0;
    for (Document d : evalDocs) {
      evalInTraining += trainingDocs.contains(d.getId()) ? 1 : 0;
    }
    NGramIndex training = NGramIndex.of(new ArrayList<>(pieces));
    int overlapping = 0;
    List<String> shown = new ArrayList<>();
    for (Probe p : probes) {
      Optional<String> gram = training.firstOverlap(p.getContext());
      if (gram.isPresent()) {
        overlapping++;
        if (shown.size() < 5) {
          shown.add(p.getId() + ": \"" + gram.get() + "\"");
        }
      }
    }
    return Optional.of(new Figures(evalDocs.size(), evalInTraining, probes.size(), pieces.size(),
        overlapping, shown));
  }

  /** The Markdown section; empty when {@code output} has no probes. */
  public static String markdown(Path output, List<LongContextExample> examples)
      throws IOException {
    Optional<Figures> maybe = figures(output, examples);
    if (maybe.isEmpty()) {
      return "";
    }
    Figures f = maybe.get();
    StringBuilder md = new StringBuilder("\n## Evaluation probes and training data\n\n");
    md.append("Probes of `").append(EvalSide.DIR).append('/').append(BuildProbes.PROBES_DIR)
        .append("/` (docs/eval-probes.md) against the training examples of this folder.\n\n");
    md.append("| | |\n|---|---|\n");
    md.append(String.format(Locale.ROOT, "| evaluation documents | %,d |%n", f.evalDocuments()));
    md.append(String.format(Locale.ROOT, "| evaluation documents used by a training example "
        + "(source or filler) | %d |%n", f.evalDocumentsInTraining()));
    md.append(String.format(Locale.ROOT, "| probes | %,d |%n", f.probes()));
    md.append(String.format(Locale.ROOT, "| distinct training text pieces checked | %,d |%n",
        f.trainingPieces()));
    md.append(String.format(Locale.ROOT, "| probes sharing a 10-gram with training text | %d "
        + "(%.1f%%) |%n", f.probesWithOverlap(),
        f.probes() == 0 ? 0 : 100.0 * f.probesWithOverlap() / f.probes()));
    if (!f.examples().isEmpty()) {
      md.append("\nFirst overlaps (probe: shared 10-gram, normalised):\n\n");
      f.examples().forEach(x -> md.append("- ").append(x).append('\n'));
    }
    return md.toString();
  }
}
