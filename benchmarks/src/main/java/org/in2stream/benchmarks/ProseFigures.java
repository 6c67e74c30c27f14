package org.in2stream.benchmarks;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rule that keeps {@code docs/BENCHMARKS.md} from drifting: every figure in its prose must
 * appear in one of the tables it was rendered with. {@link BenchReport} checks the document before it
 * writes it, and {@code ProseFiguresTest} checks the committed file in {@code mvn verify}.
 *
 * <p>A <b>table line</b> is a line that starts with {@code |}; everything else is prose. A
 * <b>figure</b> is a run of digits, optionally with thousands commas and a decimal part, that does not
 * continue a word or a number: the character before it is not a letter, digit, {@code _} or
 * {@code .}, nor a {@code -} glued to a letter or digit. So {@code cl100k}, {@code UTF-8},
 * {@code -Xmx1g} and {@code IN2} are names, not figures, while {@code 32K}, {@code p=2},
 * {@code 1.55M} and {@code 8.3 %} are figures ({@code 32}, {@code 2}, {@code 1.55}, {@code 8.3}).
 * Figures are compared by value ({@code 20,000} = {@code 20000}, {@code 0.50} = {@code 0.5}).
 *
 * <p>Exempt from the prose, each for a reason:
 * <ul>
 *   <li>inline code spans and fenced code blocks: commands, options and class names
 *       ({@code --full}, {@code scripts/bench.sh}), not measurements;
 *   <li>dates and clock times ({@code 2026-12-02}, {@code 16:40}): when a run happened, not what it
 *       measured;
 *   <li>dotted versions with three or more parts ({@code 17.0.15}): names of software.
 * </ul>
 * Nothing else is exempt: goal constants, row numbers and the paper's example counts are in the table
 * (goal column, # column, row names), so the prose may quote them and a changed goal in prose is
 * caught like any other drifted figure. An unfilled template placeholder is also a violation.
 */
public final class ProseFigures {
  private static final Pattern NUMBER = Pattern.compile("\\d+(?:,\\d{3})*(?:\\.\\d+)?");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern TIME = Pattern.compile("\\b\\d{1,2}:\\d{2}(?::\\d{2})?\\b");
  private static final Pattern VERSION = Pattern.compile("\\d+(?:\\.\\d+){2,}");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{[^}]*}}");

  private ProseFigures() {}

  /** One prose figure that no table holds. */
  public record Violation(int line, String figure, String text) {
    @Override
    public String toString() {
      return "line " + line + ": " + figure + " is not in any table: " + text;
    }
  }

  /** The prose figures of {@code markdown} that none of its tables holds, in document order. */
  public static List<Violation> check(String markdown) {
    String[] lines = markdown.split("\n", -1);
    Set<String> inTables = new LinkedHashSet<>();
    for (String line : lines) {
      if (isTable(line)) {
        inTables.addAll(figures(line));
      }
    }
    List<Violation> out = new ArrayList<>();
    boolean fenced = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.trim().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced || isTable(line)) {
        continue;
      }
      Matcher p = PLACEHOLDER.matcher(line);
      while (p.find()) {
        out.add(new Violation(i + 1, p.group(), line.trim()));
      }
      for (String f : figures(CODE_SPAN.matcher(line).replaceAll(" "))) {
        if (!inTables.contains(f)) {
          out.add(new Violation(i + 1, f, line.trim()));
        }
      }
    }
    return out;
  }

  static boolean isTable(String line) {
    return line.trim().startsWith("|");
  }

  /** The figures of one line, normalised ({@code 20,000} and {@code 20000.0} give {@code 20000}). */
  static List<String> figures(String line) {
    String s = DATE.matcher(line).replaceAll(" ");
    s = TIME.matcher(s).replaceAll(" ");
    s = VERSION.matcher(s).replaceAll(" ");
    List<String> out = new ArrayList<>();
    Matcher m = NUMBER.matcher(s);
    while (m.find()) {
      int at = m.start();
      if (at > 0) {
        char before = s.charAt(at - 1);
        if (Character.isLetterOrDigit(before) || before == '_' || before == '.') {
          continue;
        }
        if (before == '-' && at > 1 && Character.isLetterOrDigit(s.charAt(at - 2))) {
          continue;
        }
      }
      out.add(normalise(m.group()));
    }
    return out;
  }

  static String normalise(String figure) {
    BigDecimal v = new BigDecimal(figure.replace(",", ""));
    return v.signum() == 0 ? "0" : v.stripTrailingZeros().toPlainString();
  }
}
