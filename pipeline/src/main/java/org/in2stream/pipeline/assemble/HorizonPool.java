package org.in2stream.pipeline.assemble;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.in2stream.schema.Segment;

/**
 * The filler pool of one window, built over its filler horizon (the window and the ones before
 * it): the bottom-k sample of the horizon's segments, each with the start of the event-time window
 * it came from, and the hashes of the boilerplate texts of the horizon (normalised texts found in
 * at least the configured number of distinct documents). Boilerplate segments are not in {@link
 * #segments()}: a pool never offers one as a filler.
 */
public final class HorizonPool implements Serializable {
  private final List<Segment> segments;
  private final List<Long> windowStarts;
  private final Set<Long> boilerplate;
  private final long windowMillis;
  private transient Map<String, Long> windowOf;

  /**
   * @param segments filler candidates in the pool's deterministic order
   * @param windowStarts start (epoch millis) of the window of each segment, same order
   * @param boilerplate {@link RepeatedText#hash} of each boilerplate text of the horizon
   * @param windowMillis the length of one window
   */
  public HorizonPool(List<Segment> segments, List<Long> windowStarts, Set<Long> boilerplate,
      long windowMillis) {
    if (segments.size() != windowStarts.size()) {
      throw new IllegalArgumentException("one window start per segment");
    }
    this.segments = List.copyOf(segments);
    this.windowStarts = List.copyOf(windowStarts);
    this.boilerplate = Set.copyOf(boilerplate);
    this.windowMillis = windowMillis;
  }

  public List<Segment> segments() {
    return segments;
  }

  public Set<Long> boilerplate() {
    return boilerplate;
  }

  /** The same horizon's boilerplate, with no segments (for steps that only drop boilerplate). */
  public HorizonPool withoutSegments() {
    return new HorizonPool(List.of(), List.of(), boilerplate, windowMillis);
  }

  /** True if {@code segment}'s normalised text is boilerplate in this horizon. */
  public boolean isBoilerplate(Segment segment) {
    return !boilerplate.isEmpty() && boilerplate.contains(RepeatedText.hash(segment.getText()));
  }

  /**
   * {@code text} without its boilerplate lines: a line (between line breaks) of a text of two or more
   * lines whose normalised text is boilerplate in this horizon, such as a site footer that the
   * segmenter merged into a document's last segment. The other lines are kept as they are, in
   * order. Returns {@code text} itself when nothing is removed, and an empty string when every line
   * is.
   */
  public String withoutBoilerplateLines(String text) {
    return RepeatedText.withoutLines(text, boilerplate);
  }

  /**
   * The windows ({@code start_end} in UTC, sorted) whose segments are among {@code segmentIds}
   * ({@code docId#index}, as in {@code LongContextExample.fillerSegmentIds}).
   */
  public List<String> windowsOf(List<String> segmentIds) {
    Map<String, Long> index = windowIndex();
    TreeSet<Long> starts = new TreeSet<>();
    for (String id : segmentIds) {
      Long start = index.get(id);
      if (start != null) {
        starts.add(start);
      }
    }
    List<String> out = new ArrayList<>();
    for (long start : starts) {
      out.add(label(start, windowMillis));
    }
    return out;
  }

  /** {@code 20231114T221000Z_20231114T222000Z}: the folder names of the file sinks use the same. */
  public static String label(long start, long windowMillis) {
    org.joda.time.format.DateTimeFormatter f =
        org.joda.time.format.ISODateTimeFormat.basicDateTimeNoMillis().withZoneUTC();
    return f.print(start) + "_" + f.print(start + windowMillis);
  }

  private synchronized Map<String, Long> windowIndex() {
    if (windowOf == null) {
      Map<String, Long> m = new HashMap<>();
      for (int i = 0; i < segments.size(); i++) {
        Segment s = segments.get(i);
        m.put(s.getDocId() + "#" + s.getIndex(), windowStarts.get(i));
      }
      windowOf = m;
    }
    return windowOf;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HorizonPool p && p.segments.equals(segments)
        && p.windowStarts.equals(windowStarts) && p.boilerplate.equals(boilerplate)
        && p.windowMillis == windowMillis;
  }

  @Override
  public int hashCode() {
    return segments.hashCode() * 31 + boilerplate.hashCode();
  }

  /** Encodes the pool with Avro for the segments; boilerplate hashes in ascending order. */
  public static final class Coder extends CustomCoder<HorizonPool> {
    private static final ListCoder<Segment> SEGMENTS = ListCoder.of(AvroCoder.specific(Segment.class));
    private static final ListCoder<Long> LONGS = ListCoder.of(VarLongCoder.of());

    @Override
    public void encode(HorizonPool value, OutputStream out) throws IOException {
      SEGMENTS.encode(value.segments, out);
      LONGS.encode(value.windowStarts, out);
      List<Long> sorted = new ArrayList<>(value.boilerplate);
      Collections.sort(sorted);
      LONGS.encode(sorted, out);
      VarLongCoder.of().encode(value.windowMillis, out);
    }

    @Override
    public HorizonPool decode(InputStream in) throws IOException {
      List<Segment> segments = SEGMENTS.decode(in);
      List<Long> starts = LONGS.decode(in);
      Set<Long> boilerplate = new HashSet<>(LONGS.decode(in));
      long windowMillis = VarLongCoder.of().decode(in);
      return new HorizonPool(segments, starts, boilerplate, windowMillis);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
