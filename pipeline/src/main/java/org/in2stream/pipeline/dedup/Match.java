package org.in2stream.pipeline.dedup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Comparator;
import org.apache.beam.sdk.coders.BigEndianLongCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * The earlier item a duplicate was matched to: its id, event time, tie-break key and the estimated
 * Jaccard similarity (1.0 for an exact copy).
 */
public record Match(String id, long eventTime, String orderKey, double jaccard) {
  /** Earliest first: event time, then the tie-break key, then the id. */
  public static final Comparator<Match> EARLIEST = Comparator.comparingLong(Match::eventTime)
      .thenComparing(Match::orderKey).thenComparing(Match::id);

  /** Encodes the four fields in order. */
  public static final class MatchCoder extends CustomCoder<Match> {
    public static final MatchCoder INSTANCE = new MatchCoder();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final BigEndianLongCoder LONG = BigEndianLongCoder.of();
    private static final DoubleCoder DOUBLE = DoubleCoder.of();

    @Override
    public void encode(Match m, OutputStream out) throws IOException {
      STRING.encode(m.id(), out);
      LONG.encode(m.eventTime(), out);
      STRING.encode(m.orderKey(), out);
      DOUBLE.encode(m.jaccard(), out);
    }

    @Override
    public Match decode(InputStream in) throws IOException {
      return new Match(STRING.decode(in), LONG.decode(in), STRING.decode(in), DOUBLE.decode(in));
    }
  }
}
