package org.in2stream.pipeline.sink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A file format of the pipeline's output. Every format of {@code --outputFormats} is written beside
 * the others, from the same sorted records, under the same name with its own extension.
 */
public enum OutputFormat {
  /** Avro container files, deflate, sync marker derived from the file name. */
  AVRO("avro"),
  /** Parquet (parquet-avro), snappy, the Avro schema in the footer. */
  PARQUET("parquet"),
  /** One JSON object per line, fields in schema order (Jackson). */
  JSONL("jsonl");

  private final String extension;

  OutputFormat(String extension) {
    this.extension = extension;
  }

  /** The file extension, without the dot; also the name used in {@code --outputFormats}. */
  public String extension() {
    return extension;
  }

  /**
   * Parses a comma-separated list such as {@code avro,parquet,jsonl}; duplicates collapse, the
   * result is in declaration order (so the same set always writes in the same order).
   */
  public static List<OutputFormat> parseList(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--outputFormats must name at least one of " + names());
    }
    EnumSet<OutputFormat> set = EnumSet.noneOf(OutputFormat.class);
    for (String part : value.split(",")) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      OutputFormat match = Arrays.stream(values()).filter(f -> f.extension.equals(name))
          .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown output format '"
              + part.trim() + "' in --outputFormats=" + value + "; use any of " + names()));
      set.add(match);
    }
    return List.copyOf(new ArrayList<>(set));
  }

  private static String names() {
    return Arrays.stream(values()).map(OutputFormat::extension).collect(Collectors.joining(", "));
  }
}
