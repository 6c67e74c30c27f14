package org.in2stream.pipeline.assemble;

import java.util.Locale;

/** How the source segments are placed among the fillers. */
public enum Placement {
  /** The paper's: a uniform shuffle of all segments, fillers and source alike. */
  SHUFFLE,
  /**
   * Balanced depth bins: each needed segment gets a depth decile drawn uniformly by a generator keyed
   * by the example id (distinct deciles for the segments of one example), and the fillers are ordered
   * so that its realised depth lands in that decile. Across a dataset every decile gets the same share
   * of answers.
   */
  STRATIFIED;

  public static Placement parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("unknown --placement=" + value
          + "; use shuffle or stratified");
    }
  }

  /** Lower-case name as written into records and options. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
