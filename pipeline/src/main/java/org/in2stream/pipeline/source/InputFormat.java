package org.in2stream.pipeline.source;

import java.util.Locale;

/** How the values of the input topic are read ({@code --inputFormat}). */
public enum InputFormat {
  /** Per value: a JSON object if it starts with '{', HTML if it looks like a page, else text. */
  AUTO,
  /** Plain text, taken as it is (after cleaning). */
  TEXT,
  /** A JSON object with a string field {@code text} and optional id, url, lang, fetched_at. */
  JSON,
  /** Raw HTML; the text of its body is extracted with jsoup. */
  HTML;

  /** Parses an option value; the message lists the allowed values. */
  public static InputFormat parse(String value) {
    if (value != null) {
      for (InputFormat f : values()) {
        if (f.name().equalsIgnoreCase(value.trim())) {
          return f;
        }
      }
    }
    throw new IllegalArgumentException("unknown --inputFormat=" + value
        + "; use one of auto, text, json, html");
  }

  /** The name written into {@link org.in2stream.schema.Document#getFormat()}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
