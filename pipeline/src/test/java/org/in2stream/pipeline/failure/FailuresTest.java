package org.in2stream.pipeline.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.in2stream.schema.Failure;
import org.junit.jupiter.api.Test;

class FailuresTest {
  @Test
  void excerptsAreBoundedButSizeAndHashCoverTheWholeInput() {
    String big = "x".repeat(5_000_000);
    Failure f = Failures.ofText("S", Reason.TOO_SHORT, "m", "d", null, big);
    assertEquals(Failures.EXCERPT_CHARS, f.getExcerpt().length());
    assertEquals(5_000_000, f.getInputBytes());
    assertEquals(64, f.getInputSha256().length());

    Failure b = Failures.ofBytes("S", Reason.INVALID_UTF8, null, null, null,
        big.getBytes(StandardCharsets.UTF_8));
    assertTrue(b.getExcerpt().length() <= Failures.EXCERPT_CHARS);
    assertEquals(Reason.INVALID_UTF8.meaning(), b.getMessage());
  }

  @Test
  void excerptsKeepValidMultiByteCharactersAndEscapeTheRest() {
    byte[] mixed = "é日".getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[mixed.length + 2];
    System.arraycopy(mixed, 0, input, 0, mixed.length);
    input[mixed.length] = (byte) 0xE6; // truncated 3-byte sequence
    input[mixed.length + 1] = 0;
    assertEquals("é日\\xe6\\x00", Failures.excerptOf(input));
  }
}
