package org.in2stream.pipeline.source;

import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The readable text of an HTML page, with jsoup: scripts, styles, templates, forms, navigation and
 * other non-content elements are removed; block elements ({@code p}, headings, list items, table
 * rows, {@code br}, ...) end a line, so paragraphs stay paragraphs for segmentation; whitespace
 * inside a block collapses to single spaces. Hidden text ({@code hidden} attribute,
 * {@code display:none}) is removed too, since a page can hide instructions for a model there.
 */
public final class HtmlText {
  private static final String REMOVE = "script, style, noscript, template, iframe, object, embed, "
      + "svg, canvas, head, nav, form, button, select, textarea, [hidden], [aria-hidden=true], "
      + "[style~=(?i)display\\s*:\\s*none], [style~=(?i)visibility\\s*:\\s*hidden]";
  private static final Set<String> BLOCKS = Set.of("p", "div", "br", "hr", "h1", "h2", "h3", "h4",
      "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "section", "article", "header",
      "footer", "main", "aside", "blockquote", "pre", "figure", "figcaption", "address", "title",
      "body", "td", "th", "caption", "details", "summary");

  private HtmlText() {}

  public static String extract(String html) {
    Document doc = Jsoup.parse(html);
    doc.select(REMOVE).remove();
    StringBuilder out = new StringBuilder();
    NodeTraversor.traverse(new NodeVisitor() {
      @Override
      public void head(Node node, int depth) {
        if (node instanceof TextNode t) {
          appendCollapsed(out, t.getWholeText());
        } else if (node instanceof Element e && BLOCKS.contains(e.normalName())) {
          newline(out);
        }
      }

      @Override
      public void tail(Node node, int depth) {
        if (node instanceof Element e && BLOCKS.contains(e.normalName())) {
          newline(out);
        }
      }
    }, doc.body());
    return out.toString().strip();
  }

  private static void appendCollapsed(StringBuilder out, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c) || c == '\u00A0') {
        int last = out.length() - 1;
        if (last >= 0 && out.charAt(last) != ' ' && out.charAt(last) != '\n') {
          out.append(' ');
        }
      } else {
        out.append(c);
      }
    }
  }

  private static void newline(StringBuilder out) {
    int last = out.length() - 1;
    while (last >= 0 && out.charAt(last) == ' ') {
      out.setLength(last--);
    }
    if (last >= 0 && out.charAt(last) != '\n') {
      out.append('\n');
    }
  }
}
