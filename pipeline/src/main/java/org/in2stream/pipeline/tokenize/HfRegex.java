package org.in2stream.pipeline.tokenize;

import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Decides whether a pre-tokenizer pattern from a {@code tokenizer.json} (written for Oniguruma, the
 * engine of the Rust {@code tokenizers} library) means the same when {@link java.util.regex} runs it
 * with {@link Pattern#UNICODE_CHARACTER_CLASS}. Only a small, checked subset is accepted: literals,
 * bracket classes, groups {@code (?:} {@code (?i:} {@code (?=} {@code (?!}, alternation, the
 * quantifiers {@code ? * + {m,n}} (greedy, lazy or possessive), the escapes {@code \r \n \t \s \S}
 * and {@code \p{..}}/{@code \P{..}} of a general category. Everything else ({@code .}, {@code \w},
 * {@code \d}, {@code \b}, {@code \h}, anchors, scripts, back-references) differs between the engines
 * or is not needed, and sends the tokenizer to the reference path.
 */
final class HfRegex {
  private static final Set<String> CATEGORIES = Set.of("L", "Lu", "Ll", "Lt", "Lm", "Lo", "M",
      "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S",
      "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp");

  private HfRegex() {}

  /** The Java pattern, or an exception whose message says which construct is not supported. */
  static Pattern javaPattern(String regex) {
    check(regex);
    try {
      return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("not a Java regex: " + e.getDescription());
    }
  }

  private static void check(String r) {
    int depthInClass = 0;
    for (int i = 0; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c == '\\') {
        i = escape(r, i);
        continue;
      }
      if (depthInClass > 0) {
        if (c == '[') {
          unsupported(r, i, "nested or POSIX bracket class");
        } else if (c == ']') {
          depthInClass--;
        } else if (c == '&' && i + 1 < r.length() && r.charAt(i + 1) == '&') {
          unsupported(r, i, "class intersection");
        }
        continue;
      }
      switch (c) {
        case '[':
          depthInClass++;
          if (i + 1 < r.length() && r.charAt(i + 1) == '^') {
            i++;
          }
          if (i + 1 < r.length() && r.charAt(i + 1) == ']') {
            unsupported(r, i, "']' first in a class");
          }
          break;
        case '(':
          if (i + 1 < r.length() && r.charAt(i + 1) == '?') {
            String rest = r.substring(i + 2);
            if (rest.startsWith(":") || rest.startsWith("=") || rest.startsWith("!")) {
              i += 2;
            } else if (rest.startsWith("i:")) {
              i += 3;
            } else {
              unsupported(r, i, "group kind");
            }
          }
          break;
        case '.':
        case '^':
        case '$':
          unsupported(r, i, "'" + c + "'");
          break;
        default:
          break;
      }
    }
    if (depthInClass != 0) {
      unsupported(r, r.length(), "unclosed class");
    }
  }

  /** Checks the escape at {@code i}; returns the index of its last character. */
  private static int escape(String r, int i) {
    if (i + 1 >= r.length()) {
      unsupported(r, i, "trailing backslash");
    }
    char e = r.charAt(i + 1);
    switch (e) {
      case 'r':
      case 'n':
      case 't':
      case 's':
      case 'S':
        return i + 1;
      case 'p':
      case 'P': {
        int close = r.indexOf('}', i);
        if (i + 2 >= r.length() || r.charAt(i + 2) != '{' || close < 0
            || !CATEGORIES.contains(r.substring(i + 3, close))) {
          unsupported(r, i, "property other than a general category");
        }
        return close;
      }
      default:
        if (Character.isLetterOrDigit(e)) {
          unsupported(r, i, "escape \\" + e);
        }
        return i + 1; // an escaped punctuation character is that character in both engines
    }
  }

  private static void unsupported(String r, int at, String what) {
    throw new IllegalArgumentException("unsupported regex construct (" + what + ") at " + at
        + " in " + r);
  }
}
