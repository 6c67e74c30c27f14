package org.in2stream.pipeline.verify;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The word and number tokens the checks compare. A token is a whole word (letters) or a whole number
 * (digits with inner {@code .} or {@code ,}); there is no prefix or stem matching, so "international"
 * and "interview" are different tokens. Numbers are compared as numbers: "1,200" and "1200" are the
 * same token ("1200"), "2.4" and "4.2" are not, "2.40" equals "2.4".
 */
public final class Tokens {
  private static final Pattern TOKEN = Pattern.compile("\\p{N}+(?:[.,]\\p{N}+)*|\\p{L}[\\p{L}\\p{M}]*");
  private static final Pattern THOUSANDS = Pattern.compile("\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?");
  /** Function words that carry no fact of their own; never required to be grounded. */
  public static final Set<String> STOPWORDS = Set.of(
      "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "as", "is", "it", "be",
      "for", "are", "was", "were", "with", "that", "this", "from", "has", "have", "had", "its",
      "their", "his", "her", "they", "them", "which", "who", "whom", "what", "when", "where", "how",
      "why", "not", "but", "also", "into", "than", "then", "there", "these", "those", "been",
      "being", "will", "would", "can", "could", "should", "about", "after", "before", "over",
      "under", "such", "one", "both", "each", "other", "more", "most", "some", "any", "all", "our",
      "your", "you", "she", "he", "him", "out", "did", "does", "do", "because", "while", "between",
      "during", "so", "if", "no", "yes", "i", "we", "us", "my", "me", "s", "t", "whose");

  private Tokens() {}

  /** Every word (lower case) and number (canonical) of the text, in order. */
  public static List<String> all(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      out.add(canonical(m.group()));
    }
    return out;
  }

  /** The tokens that state a fact: numbers, and words that are not function words. */
  public static List<String> content(String text) {
    List<String> out = new ArrayList<>();
    for (String t : all(text)) {
      if (isNumber(t) || !STOPWORDS.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  public static Set<String> contentSet(String text) {
    return new LinkedHashSet<>(content(text));
  }

  public static boolean isNumber(String token) {
    return !token.isEmpty() && Character.isDigit(token.charAt(0));
  }

  /** A word in lower case; a number as a plain decimal ("1,200" → "1200", "2.40" → "2.4"). */
  static String canonical(String token) {
    if (!Character.isDigit(token.charAt(0))) {
      return token.toLowerCase(Locale.ROOT);
    }
    String n = token;
    if (THOUSANDS.matcher(n).matches()) {
      n = n.replace(",", "");
    } else if (n.indexOf(',') >= 0 && n.indexOf('.') < 0 && n.indexOf(',') == n.lastIndexOf(',')) {
      n = n.replace(',', '.'); // a decimal comma ("4,2")
    }
    if (n.chars().filter(c -> c == '.').count() > 1 || n.indexOf(',') >= 0) {
      return n; // a date, version or code ("1.2.3"): compared as written
    }
    try {
      String plain = new BigDecimal(n).stripTrailingZeros().toPlainString();
      return plain;
    } catch (NumberFormatException e) {
      return n; // digits of another script: compared as written
    }
  }
}
