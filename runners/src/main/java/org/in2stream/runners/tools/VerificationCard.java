package org.in2stream.runners.tools;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.verify.Check;
import org.in2stream.schema.Failure;
import org.in2stream.schema.Kind;
import org.in2stream.schema.LongContextExample;

/**
 * The verification section of the dataset card (docs/verification.md): per check, the responses it
 * rejected and the accepted QA pairs that passed it; the literal-overlap histogram; and the share of
 * generated QA pairs that became examples. Computed from the output folder alone: rejected
 * responses are listed on the examples of their slot ({@code rejectedResponses}) and in the dead
 * letters of slots that failed.
 */
public final class VerificationCard {
  private static final Pattern REJECTED = Pattern.compile("([0-9a-f]{64}|[0-9a-f]{64}#\\d+) "
      + "([A-Z_]+)");

  private VerificationCard() {}

  /** The numbers of the section. */
  public record Figures(Map<Check, int[]> passFail, long[] overlapHistogram, int generatedQa,
      int qaInExamples, int assemblyFailures, Set<String> levels) {}

  public static Figures figures(OutputReport.Report r) {
    Map<String, Reason> rejected = new LinkedHashMap<>();
    Set<String> accepted = new HashSet<>();
    Set<String> acceptedMulti = new HashSet<>();
    Set<String> acceptedFull = new HashSet<>();
    Set<String> acceptedFullMulti = new HashSet<>();
    Set<String> levels = new TreeSet<>();
    long[] overlap = new long[10];
    for (LongContextExample e : r.examples()) {
      String key = e.getResponseKey() != null ? e.getResponseKey() : e.getRequestKey();
      levels.add(e.getVerifyLevel().isEmpty() ? "(not recorded)" : e.getVerifyLevel());
      boolean verified = e.getGroundingScore() != null;
      if (verified && accepted.add(key) && e.getQuestionOverlap() != null) {
        overlap[Math.min(9, (int) Math.floor(e.getQuestionOverlap() * 10))]++;
      }
      if (verified && e.getKind() == Kind.MULTI_SEGMENT) {
        acceptedMulti.add(key);
      }
      if (e.getClosedBookScore() != null) {
        acceptedFull.add(key);
        if (e.getKind() == Kind.MULTI_SEGMENT) {
          acceptedFullMulti.add(key);
        }
      }
      e.getRejectedResponses().forEach(s -> parse(s, rejected));
    }
    int assembly = 0;
    for (Failure f : r.failures()) {
      if (f.getStage().equals("SynthesizeQa")) {
        parse(f.getMessage(), rejected);
      } else if (f.getStage().equals("AssembleContexts")) {
        assembly++;
      }
    }
    Map<Check, int[]> passFail = new EnumMap<>(Check.class);
    int verifyRejected = 0;
    for (Check c : Check.values()) {
      int fail = (int) rejected.values().stream().filter(x -> x == c.reason()).count();
      verifyRejected += fail;
      int pass = switch (c) {
        case PIECE_NECESSITY -> acceptedMulti.size();
        case CLOSED_BOOK -> acceptedFull.size();
        case ABLATION -> acceptedFullMulti.size();
        default -> accepted.size();
      };
      passFail.put(c, new int[] {pass, fail});
    }
    return new Figures(passFail, overlap, accepted.size() + assembly + verifyRejected,
        accepted.size(), assembly, levels);
  }

  private static void parse(String text, Map<String, Reason> into) {
    Matcher m = REJECTED.matcher(text);
    while (m.find()) {
      try {
        into.put(m.group(1), Reason.valueOf(m.group(2)));
      } catch (IllegalArgumentException e) {
        // not a reason code: not a rejection record
      }
    }
  }

  /** The Markdown section. */
  public static String markdown(Figures f) {
    StringBuilder md = new StringBuilder("\n## Verification\n\n");
    md.append("Verification level(s) of the examples: ").append(String.join(", ", f.levels()))
        .append(" (docs/verification.md).\n\n");
    md.append("| check | reason code | passed (accepted QA pairs) | rejected responses "
        + "| rejection rate |\n|---|---|---:|---:|---:|\n");
    for (Map.Entry<Check, int[]> e : f.passFail().entrySet()) {
      int[] c = e.getValue();
      int n = c[0] + c[1];
      md.append(String.format(Locale.ROOT, "| %s | `%s` | %,d | %,d | %s |%n",
          e.getKey().name().toLowerCase(Locale.ROOT), e.getKey().reason().name(), c[0], c[1],
          n == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * c[1] / n)));
    }
    md.append(String.format(Locale.ROOT, "%nGenerated QA pairs that became examples: %,d of %,d "
        + "(%s); %,d verified pairs were dead-lettered by the assembler.%n",
        f.qaInExamples(), f.generatedQa(), f.generatedQa() == 0 ? "-"
            : String.format(Locale.ROOT, "%.1f%%", 100.0 * f.qaInExamples() / f.generatedQa()),
        f.assemblyFailures()));
    md.append("\nLiteral overlap (NoLiMa): share of the question's content words found in its "
        + "evidence, per accepted QA pair.\n\n| overlap | QA pairs |\n|---|---:|\n");
    for (int i = 0; i < 10; i++) {
      md.append(String.format(Locale.ROOT, "| %.1f-%.1f | %,d |%n", i / 10.0, (i + 1) / 10.0,
          f.overlapHistogram()[i]));
    }
    md.append("\nA check's \"passed\" counts accepted QA pairs it ran on (piece necessity and "
        + "ablation: multi-segment only; closed-book and ablation: `--verify=full` only); "
        + "\"rejected\" counts responses, including those a later attempt replaced.\n");
    return md.toString();
  }
}
