package org.in2stream.pipeline.dedup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One bucket's answer about one item: the earliest earlier similar item in that bucket, if any, and
 * the item itself when the bucket is band 0.
 */
record BandResult<T>(@Nullable Match match, @Nullable T item) {
  static final class BandResultCoder<T> extends CustomCoder<BandResult<T>> {
    private static final NullableCoder<Match> MATCH = NullableCoder.of(Match.MatchCoder.INSTANCE);
    private final NullableCoder<T> item;

    BandResultCoder(Coder<T> itemCoder) {
      this.item = NullableCoder.of(itemCoder);
    }

    @Override
    public void encode(BandResult<T> r, OutputStream out) throws IOException {
      MATCH.encode(r.match(), out);
      item.encode(r.item(), out);
    }

    @Override
    public BandResult<T> decode(InputStream in) throws IOException {
      return new BandResult<>(MATCH.decode(in), item.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(item);
    }
  }
}
