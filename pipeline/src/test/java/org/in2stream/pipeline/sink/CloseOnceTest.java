package org.in2stream.pipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The sink closes each file's channel exactly once (Beam's S3 channel fails on a second close). */
class CloseOnceTest {
  @Test
  void theStreamAndTryWithResourcesCloseTheChannelOnce() throws Exception {
    AtomicInteger closes = new AtomicInteger();
    AtomicInteger bytes = new AtomicInteger();
    WritableByteChannel counting = new WritableByteChannel() {
      @Override
      public int write(ByteBuffer src) {
        int n = src.remaining();
        src.position(src.limit());
        bytes.addAndGet(n);
        return n;
      }

      @Override
      public boolean isOpen() {
        return closes.get() == 0;
      }

      @Override
      public void close() {
        closes.incrementAndGet();
      }
    };
    WritableByteChannel once = new DeterministicAvroFiles.CloseOnce(counting);
    try (WritableByteChannel channel = once; OutputStream out = Channels.newOutputStream(channel)) {
      out.write(new byte[] {1, 2, 3});
      out.close(); // what a DataFileWriter or ParquetWriter does on its own close
    }
    assertEquals(1, closes.get());
    assertEquals(3, bytes.get());
    assertFalse(once.isOpen());
  }
}
