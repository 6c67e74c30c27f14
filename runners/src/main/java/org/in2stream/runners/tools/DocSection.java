package org.in2stream.runners.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Writes a generated section into a Markdown file: the text between the lines
 * {@code <!-- generated:NAME begin -->} and {@code <!-- generated:NAME end -->} is replaced (the
 * markers and everything else stay); a section not there yet is appended at the end. This is how a
 * measuring run puts its figures into {@code docs/}, so that no figure is copied by hand.
 *
 * <pre>DocSection --file=docs/fault-tests.md --section=NAME --from=BODY.txt</pre>
 */
public final class DocSection {
  private DocSection() {}

  static String begin(String name) {
    return "<!-- generated:" + name + " begin -->";
  }

  static String end(String name) {
    return "<!-- generated:" + name + " end -->";
  }

  /** {@code doc} with the section {@code name} holding {@code body}. */
  static String replace(String doc, String name, String body) {
    if (name.isBlank() || name.contains("-->")) {
      throw new IllegalArgumentException("bad section name: " + name);
    }
    String text = body.endsWith("\n") ? body : body + "\n";
    int b = doc.indexOf(begin(name));
    int e = doc.indexOf(end(name));
    if (b < 0 && e < 0) {
      String sep = doc.isEmpty() || doc.endsWith("\n\n") ? "" : doc.endsWith("\n") ? "\n" : "\n\n";
      return doc + sep + begin(name) + "\n" + text + end(name) + "\n";
    }
    if (b < 0 || e < b) {
      throw new IllegalArgumentException("section " + name + " has a broken pair of markers");
    }
    int from = doc.indexOf('\n', b) + 1;
    return doc.substring(0, from) + text + doc.substring(e);
  }

  /** Replaces (or appends) the section in the file; creates the file if missing. */
  static void write(Path file, String name, String body) throws IOException {
    String doc = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    Files.writeString(file, replace(doc, name, body), StandardCharsets.UTF_8);
  }

  public static void main(String[] argv) throws IOException {
    Args args;
    try {
      args = new Args(argv, Set.of("file", "section", "from"));
      args.required("file");
      args.required("section");
      args.required("from");
    } catch (IllegalArgumentException e) {
      System.err.println("doc-section: " + e.getMessage()
          + "\nusage: --file=DOC.md --section=NAME --from=BODY.txt");
      System.exit(2);
      return;
    }
    write(Path.of(args.required("file")), args.required("section"),
        Files.readString(Path.of(args.required("from")), StandardCharsets.UTF_8));
    System.out.println("wrote section " + args.required("section") + " of " + args.required("file"));
  }
}
