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
 * One item entering one bucket: its sketch, and the item itself only for band 0 (the verdict step
 * gets the item back from that band, so the other buckets never hold it). {@code samePage} marks
 * the element of the item's page bucket ({@link ItemKeys#page}) rather than of an LSH band.
 */
record Candidate<T>(Sketch sketch, @Nullable T item, boolean samePage) {
  static final class CandidateCoder<T> extends CustomCoder<Candidate<T>> {
    private final NullableCoder<T> item;

    CandidateCoder(Coder<T> itemCoder) {
      this.item = NullableCoder.of(itemCoder);
    }

    @Override
    public void encode(Candidate<T> c, OutputStream out) throws IOException {
      Sketch.SketchCoder.INSTANCE.encode(c.sketch(), out);
      item.encode(c.item(), out);
      out.write(c.samePage() ? 1 : 0);
    }

    @Override
    public Candidate<T> decode(InputStream in) throws IOException {
      Sketch sketch = Sketch.SketchCoder.INSTANCE.decode(in);
      T value = item.decode(in);
      int samePage = in.read();
      if (samePage < 0) {
        throw new java.io.EOFException("a candidate ends before its same-page flag");
      }
      return new Candidate<>(sketch, value, samePage == 1);
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(item);
    }
  }
}
