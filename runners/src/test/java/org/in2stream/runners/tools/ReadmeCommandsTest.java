package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.beans.Introspector;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.in2stream.pipeline.config.In2Options;
import org.junit.jupiter.api.Test;

/**
 * Every command in a fenced {@code bash} block of README.md and docs/*.md exists as written: the
 * scripts exist and are executable, their subcommands and {@code --options} are parsed by the
 * script (or, for scripts that pass options to the pipeline, are options of {@link In2Options} or
 * of the Beam/Flink runner), Java tool classes exist and read the options given, and repository
 * paths exist. Relative Markdown links point at files that exist; the options table names only
 * real options.
 */
class ReadmeCommandsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** Scripts whose other --name=value arguments go to the pipeline and the Flink runner. */
  private static final Set<String> PIPELINE_SCRIPTS = Set.of("scripts/demo.sh",
      "scripts/submit.sh");
  private static final Set<String> PIPELINE_CLASSES = Set.of("org.in2stream.runners.In2Main");
  private static final Pattern FENCE = Pattern.compile("(?ms)^```(bash|sh|shell)\\s*\\n(.*?)^```");
  private static final Pattern OPTION = Pattern.compile("^--([A-Za-z][\\w-]*)(=.*)?$");
  private static final Pattern SCRIPT_OPTION = Pattern.compile("--([A-Za-z][\\w-]*)");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
  private static final List<String> REPO_DIRS = List.of("scripts/", "docs/", "runners/",
      "pipeline/", "schemas/", "benchmarks/");

  static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(ROOT.resolve("README.md"));
    try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  @Test
  void everyFencedCommandMatchesTheCode() throws IOException {
    List<String> problems = new ArrayList<>();
    int commands = 0;
    for (Path doc : documents()) {
      String text = Files.readString(doc);
      Matcher m = FENCE.matcher(text);
      while (m.find()) {
        for (List<String> command : commands(m.group(2))) {
          commands++;
          check(ROOT.relativize(doc) + ": " + String.join(" ", command), command, problems);
        }
      }
    }
    assertTrue(commands > 30, "found the fenced commands: " + commands);
    assertEquals(List.of(), problems);
  }

  @Test
  void relativeLinksPointAtFilesThatExist() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path doc : documents()) {
      Matcher m = LINK.matcher(Files.readString(doc));
      while (m.find()) {
        String target = m.group(1);
        if (target.contains("://") || target.startsWith("mailto:")) {
          continue;
        }
        if (!Files.exists(doc.getParent().resolve(target))) {
          broken.add(ROOT.relativize(doc) + " -> " + target);
        }
      }
    }
    assertEquals(List.of(), broken);
  }

  @Test
  void theOptionsTableNamesOnlyPipelineOptions() throws IOException {
    Set<String> known = pipelineOptions();
    List<String> unknown = new ArrayList<>();
    int rows = 0;
    for (String line : Files.readAllLines(ROOT.resolve("docs/options.md"))) {
      if (!line.startsWith("| `--")) {
        continue;
      }
      rows++;
      String firstColumn = line.substring(1, line.indexOf('|', 1));
      Matcher m = Pattern.compile("`--(\\w+)`").matcher(firstColumn);
      while (m.find()) {
        if (!known.contains(m.group(1))) {
          unknown.add(m.group(1));
        }
      }
    }
    assertTrue(rows > 30, "rows of the options table: " + rows);
    assertEquals(List.of(), unknown);
    StringBuilder all = new StringBuilder();
    for (Path doc : documents()) {
      all.append(Files.readString(doc));
    }
    for (Method getter : In2Options.class.getDeclaredMethods()) {
      String name = property(getter);
      if (name != null && !all.toString().contains("`--" + name)) {
        unknown.add("undocumented: --" + name);
      }
    }
    assertEquals(List.of(), unknown, "every option of In2Options is documented");
  }

  @Test
  void theExportScriptLineListsEveryOptionOfTheTool() throws IOException {
    String script = Files.readString(ROOT.resolve("scripts/export.sh"));
    for (String option : Export.OPTIONS) {
      assertTrue(script.contains("--" + option + "="), "scripts/export.sh names --" + option);
      assertTrue(Export.USAGE.contains("--" + option), "--help names --" + option);
    }
  }

  /** The commands of a fenced block: continuations joined, comments dropped, split at | && ; */
  static List<List<String>> commands(String block) {
    List<List<String>> out = new ArrayList<>();
    String joined = block.replaceAll("\\\\\\n", " ");
    for (String line : joined.split("\n")) {
      String code = stripComment(line).trim();
      if (code.isEmpty()) {
        continue;
      }
      for (String part : code.split("\\s*(\\|\\||&&|\\||;)\\s*")) {
        List<String> words = words(part);
        while (!words.isEmpty() && words.get(0).matches("[A-Z_][A-Z0-9_]*=.*")) {
          words.remove(0);
        }
        if (!words.isEmpty()) {
          out.add(words);
        }
      }
    }
    return out;
  }

  private static String stripComment(String line) {
    boolean single = false;
    boolean dbl = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'' && !dbl) {
        single = !single;
      } else if (c == '"' && !single) {
        dbl = !dbl;
      } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static List<String> words(String s) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    char quote = 0;
    for (char c : s.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (Character.isWhitespace(c)) {
        if (w.length() > 0) {
          words.add(w.toString());
          w.setLength(0);
        }
      } else {
        w.append(c);
      }
    }
    if (w.length() > 0) {
      words.add(w.toString());
    }
    return words;
  }

  private static void check(String where, List<String> words, List<String> problems)
      throws IOException {
    String head = words.get(0);
    if (head.equals("bash") || head.equals("source") || head.equals(".")) {
      words = words.subList(1, words.size());
      if (words.isEmpty()) {
        return;
      }
      head = words.get(0);
    }
    head = head.startsWith("./") ? head.substring(2) : head;
    if (head.startsWith("scripts/")) {
      checkScript(where, head, words.subList(1, words.size()), problems);
    } else if (head.equals("java")) {
      checkJava(where, words, problems);
    } else {
      checkPaths(where, words, problems);
    }
  }

  private static void checkScript(String where, String script, List<String> args,
      List<String> problems) throws IOException {
    Path file = ROOT.resolve(script);
    if (!Files.isRegularFile(file)) {
      problems.add(where + ": no script " + script);
      return;
    }
    if (!script.equals("scripts/lib/common.sh") && !Files.isExecutable(file)) {
      problems.add(where + ": " + script + " is not executable");
    }
    String source = Files.readString(file);
    Set<String> allowed = new TreeSet<>();
    Matcher m = SCRIPT_OPTION.matcher(source);
    while (m.find()) {
      allowed.add(m.group(1));
    }
    if (PIPELINE_SCRIPTS.contains(script)) {
      allowed.addAll(pipelineOptions());
    }
    boolean first = true;
    for (String arg : args) {
      Matcher o = OPTION.matcher(arg);
      if (o.matches()) {
        if (!allowed.contains(o.group(1))) {
          problems.add(where + ": " + script + " does not parse --" + o.group(1));
        }
      } else if (first && arg.matches("[a-z][a-z-]*")) {
        if (!source.contains(arg + ")") && !source.contains(arg + "|")
            && !source.contains("|" + arg)) {
          problems.add(where + ": " + script + " has no subcommand " + arg);
        }
      } else {
        checkPath(where, arg, problems);
      }
      first = false;
    }
  }

  private static void checkJava(String where, List<String> words, List<String> problems)
      throws IOException {
    int i = 1;
    String cls = null;
    for (; i < words.size(); i++) {
      String w = words.get(i);
      if (w.equals("-cp") || w.equals("-jar")) {
        checkPath(where, words.get(++i), problems);
      } else if (w.matches("org\\.in2stream(\\.\\w+)+")) {
        cls = w;
        i++;
        break;
      }
    }
    if (cls == null) {
      return;
    }
    Path source = classSource(cls);
    if (source == null) {
      problems.add(where + ": no class " + cls);
      return;
    }
    String text = Files.readString(source);
    Set<String> pipeline = PIPELINE_CLASSES.contains(cls) ? pipelineOptions() : Set.of();
    for (String arg : words.subList(i, words.size())) {
      Matcher o = OPTION.matcher(arg);
      if (o.matches()) {
        String name = o.group(1);
        if (!pipeline.contains(name) && !text.contains("\"" + name + "\"")
            && !text.contains("--" + name)) {
          problems.add(where + ": " + cls + " does not read --" + name);
        }
      } else {
        checkPath(where, arg, problems);
      }
    }
  }

  private static void checkPaths(String where, List<String> words, List<String> problems) {
    for (String w : words.subList(1, words.size())) {
      int eq = w.indexOf('=');
      checkPath(where, w.startsWith("--") && eq > 0 ? w.substring(eq + 1) : w, problems);
    }
  }

  /** A repository path (not a build output) must exist; globs must match something. */
  private static void checkPath(String where, String word, List<String> problems) {
    String path = word.startsWith("./") ? word.substring(2) : word;
    if (REPO_DIRS.stream().noneMatch(path::startsWith) || path.contains("/target/")
        || path.contains("$")) {
      return;
    }
    if (path.contains("*")) {
      PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + path);
      // walk only below the part of the path before its first wildcard
      String fixed = path.substring(0, path.lastIndexOf('/', path.indexOf('*')) + 1);
      try (Stream<Path> s = Files.walk(ROOT.resolve(fixed))) {
        if (s.map(ROOT::relativize).noneMatch(glob::matches)) {
          problems.add(where + ": nothing matches " + path);
        }
      } catch (IOException e) {
        problems.add(where + ": nothing matches " + path + " (" + e + ")");
      }
    } else if (!Files.exists(ROOT.resolve(path))) {
      problems.add(where + ": no such path " + path);
    }
  }

  private static Path classSource(String cls) {
    String rel = cls.replace('.', '/') + ".java";
    for (String module : List.of("pipeline", "runners", "benchmarks", "schemas")) {
      for (String tree : List.of("src/main/java", "src/test/java")) {
        Path p = ROOT.resolve(module).resolve(tree).resolve(rel);
        if (Files.isRegularFile(p)) {
          return p;
        }
      }
    }
    return null;
  }

  /** In2Options and every registered Beam/Flink options interface, as property names. */
  static synchronized Set<String> pipelineOptions() {
    if (pipelineOptions != null) {
      return pipelineOptions;
    }
    Set<String> names = new TreeSet<>();
    PipelineOptionsFactory.register(In2Options.class);
    for (Class<? extends PipelineOptions> iface : PipelineOptionsFactory.getRegisteredOptions()) {
      for (Method m : iface.getMethods()) {
        String name = property(m);
        if (name != null) {
          names.add(name);
        }
      }
    }
    pipelineOptions = Set.copyOf(names);
    return pipelineOptions;
  }

  private static Set<String> pipelineOptions;

  private static String property(Method m) {
    String n = m.getName();
    if (m.getParameterCount() != 0) {
      return null;
    }
    if (n.startsWith("get") && n.length() > 3) {
      return Introspector.decapitalize(n.substring(3));
    }
    if (n.startsWith("is") && n.length() > 2) {
      return Introspector.decapitalize(n.substring(2));
    }
    return null;
  }
}
