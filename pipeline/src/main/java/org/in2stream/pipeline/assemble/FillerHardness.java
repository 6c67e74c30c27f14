package org.in2stream.pipeline.assemble;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.in2stream.pipeline.util.Seeds;

/**
 * How fillers are chosen, beyond the paper's random draw (docs/beyond-in2.md).
 *
 * <ul>
 *   <li>{@code random} (default, the paper): fillers in a seeded random order.
 *   <li>{@code similar}: the pool's segments most similar to the evidence first (estimated Jaccard
 *       similarity of content-word sets, {@link FillerIndex}), hard negatives in the manner of
 *       NExtLong; never a segment that contains the answer.
 *   <li>{@code mixed:<share>}: that share of examples (a seeded draw per example id) is {@code
 *       similar}, the rest random.
 * </ul>
 *
 * Apart from the mode, {@code confuserShare} of each long context's filler budget (in tokens) goes
 * first to confusers: segments that share the question's key terms but hold neither the answer nor
 * the words that would ground it. With {@code measure}, or whenever the mode is not the paper's,
 * every long-context example records its hardness (the mean similarity of its fillers to the
 * evidence) and its setting; the paper's default records nothing, so its output is the same as
 * before these options existed.
 *
 * @param mode random, similar or mixed
 * @param similarShare for mixed: the share of examples that are similar (1 for similar, 0 for random)
 * @param confuserShare share of the filler budget given to confusers, in [0, 1]
 * @param measure record the hardness even for the paper's random fillers
 */
public record FillerHardness(Mode mode, double similarShare, double confuserShare,
    boolean measure) implements Serializable {
  /** The paper's random fillers, nothing measured. */
  public static final FillerHardness PAPER = new FillerHardness(Mode.RANDOM, 0, 0, false);

  /** How one pool is ordered. */
  public enum Mode {
    RANDOM,
    SIMILAR,
    MIXED
  }

  public FillerHardness {
    if (mode == null) {
      throw new IllegalArgumentException("a filler hardness mode is required");
    }
    if (!(similarShare >= 0 && similarShare <= 1)) {
      throw new IllegalArgumentException("--fillerHardness=mixed:<share> needs 0 <= share <= 1 "
          + "(got " + similarShare + ")");
    }
    if (!(confuserShare >= 0 && confuserShare <= 1)) {
      throw new IllegalArgumentException("--confuserShare must be between 0 and 1 (got "
          + confuserShare + ")");
    }
  }

  /**
   * Parses {@code random}, {@code similar} or {@code mixed:<share>} (share in [0, 1]); a wrong value
   * fails with a message that names the option and the accepted forms.
   */
  public static FillerHardness parse(String value, double confuserShare, boolean measure) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    String usage = "; use random (the paper), similar, or mixed:<share> with a share between 0 "
        + "and 1, e.g. mixed:0.5";
    if (v.equals("random")) {
      return new FillerHardness(Mode.RANDOM, 0, confuserShare, measure);
    }
    if (v.equals("similar")) {
      return new FillerHardness(Mode.SIMILAR, 1, confuserShare, measure);
    }
    if (v.startsWith("mixed:")) {
      double share;
      try {
        share = Double.parseDouble(v.substring("mixed:".length()).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--fillerHardness=" + value + ": the share is not a "
            + "number" + usage);
      }
      if (!(share >= 0 && share <= 1)) {
        throw new IllegalArgumentException("--fillerHardness=" + value + ": the share must be "
            + "between 0 and 1" + usage);
      }
      return new FillerHardness(Mode.MIXED, share, confuserShare, measure);
    }
    throw new IllegalArgumentException("unknown --fillerHardness=" + value + usage);
  }

  /** True if examples record their hardness: any setting but the paper's plain default. */
  public boolean measures() {
    return measure || mode != Mode.RANDOM || confuserShare > 0;
  }

  /** True if the example {@code exampleId} gets similar fillers (a seeded draw for mixed). */
  public boolean similarFor(long seed, String exampleId) {
    return switch (mode) {
      case RANDOM -> false;
      case SIMILAR -> true;
      case MIXED -> Seeds.uniform(seed, "filler-hardness", exampleId) < similarShare;
    };
  }

  /** The setting an example records: random or similar, with +confuser when confusers are on. */
  public String label(boolean similar) {
    return (similar ? "similar" : "random") + (confuserShare > 0 ? "+confuser" : "");
  }

  /** The labels {@link #label} can give, for the card. */
  public static List<String> labels() {
    return List.of("random", "similar", "random+confuser", "similar+confuser");
  }

  @Override
  public String toString() {
    String m = switch (mode) {
      case RANDOM -> "random";
      case SIMILAR -> "similar";
      case MIXED -> "mixed:" + similarShare;
    };
    return m + (confuserShare > 0 ? ", confuserShare " + confuserShare : "");
  }
}
