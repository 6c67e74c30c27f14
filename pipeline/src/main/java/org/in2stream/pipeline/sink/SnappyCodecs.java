package org.in2stream.pipeline.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet's snappy codec (raw snappy blocks, as parquet-mr writes them) on snappy-java, without
 * Hadoop: parquet-hadoop's own codec factory builds a Hadoop {@code Configuration}, which needs the
 * 30 MB {@code hadoop-client-runtime}. Writers and readers of this project use this factory, so
 * {@code hadoop-client-api} (the classes parquet-hadoop's signatures name) is the only Hadoop jar.
 */
public final class SnappyCodecs implements CompressionCodecFactory {
  public static final SnappyCodecs INSTANCE = new SnappyCodecs();

  private SnappyCodecs() {}

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    check(codec);
    return new BytesInputCompressor() {
      @Override
      public BytesInput compress(BytesInput bytes) throws IOException {
        return BytesInput.from(Snappy.compress(bytes.toByteArray()));
      }

      @Override
      public CompressionCodecName getCodecName() {
        return CompressionCodecName.SNAPPY;
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    check(codec);
    return new BytesInputDecompressor() {
      @Override
      public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
        byte[] out = new byte[uncompressedSize];
        int n = Snappy.uncompress(bytes.toByteArray(), 0, (int) bytes.size(), out, 0);
        if (n != uncompressedSize) {
          throw new IOException("snappy page of " + n + " bytes, expected " + uncompressedSize);
        }
        return BytesInput.from(out);
      }

      @Override
      public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output,
          int uncompressedSize) throws IOException {
        byte[] in = new byte[compressedSize];
        input.duplicate().get(in);
        byte[] out = decompress(BytesInput.from(in), uncompressedSize).toByteArray();
        output.put(out);
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public void release() {}

  private static void check(CompressionCodecName codec) {
    if (codec != CompressionCodecName.SNAPPY) {
      throw new IllegalArgumentException("only SNAPPY is available without Hadoop, not " + codec);
    }
  }
}
