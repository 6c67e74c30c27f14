package org.in2stream.pipeline.dedup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Comparator;
import org.apache.beam.sdk.coders.BigEndianLongCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * What an LSH bucket remembers of an item: its id, event time, tie-break key and b-bit MinHash
 * signature ({@link MinHash#bbit}).
 */
public record Sketch(String id, long eventTime, String orderKey, byte[] bits) {
  /** Earliest first: event time, then the tie-break key, then the id. */
  public static final Comparator<Sketch> EARLIEST = Comparator.comparingLong(Sketch::eventTime)
      .thenComparing(Sketch::orderKey).thenComparing(Sketch::id);

  /** The match this sketch is for an item of similarity {@code jaccard}. */
  public Match asMatch(double jaccard) {
    return new Match(id, eventTime, orderKey, jaccard);
  }

  /** Encodes the four fields in order; the signature length-prefixed. */
  public static final class SketchCoder extends CustomCoder<Sketch> {
    public static final SketchCoder INSTANCE = new SketchCoder();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final BigEndianLongCoder LONG = BigEndianLongCoder.of();
    private static final ByteArrayCoder BYTES = ByteArrayCoder.of();

    @Override
    public void encode(Sketch s, OutputStream out) throws IOException {
      STRING.encode(s.id(), out);
      LONG.encode(s.eventTime(), out);
      STRING.encode(s.orderKey(), out);
      BYTES.encode(s.bits(), out);
    }

    @Override
    public Sketch decode(InputStream in) throws IOException {
      return new Sketch(STRING.decode(in), LONG.decode(in), STRING.decode(in), BYTES.decode(in));
    }
  }
}
