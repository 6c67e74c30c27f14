package org.in2stream.pipeline.synth.llm;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens the response cache named by {@code --llmCache}: {@code none}, {@code file:DIR} (embedded, one
 * machine or a shared mount) or {@code redis://host:port[/db]} (networked, for a cluster).
 *
 * <p>Not an object store ({@code file:s3://...}): Beam's S3 file system writes every object as a
 * multipart upload through a buffer of {@code --s3UploadBufferSizeBytes} (64 MiB by default, 5 MiB
 * at least), so one object per response of a few kilobytes, with dozens of calls in flight per
 * worker, needs gigabytes of heap (measured: OutOfMemoryError at -Xmx3g with the fake server's 60
 * documents) and three requests per response. That is a configuration error that names the
 * alternatives.
 */
public final class ResponseCaches {
  private ResponseCaches() {}

  /** Throws {@link IllegalArgumentException} with what to write when the spec is not understood. */
  public static void check(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--llmCache is required: none, file:DIR or "
          + "redis://host:port[/db]");
    }
    if (spec.startsWith("redis:")) {
      RedisResponseCache.parse(spec);
      return;
    }
    if (spec.startsWith("file:")
        && org.in2stream.pipeline.util.FileUris.isRemote(spec.substring("file:".length()))) {
      throw new IllegalArgumentException("--llmCache=" + spec + ": the response cache cannot live "
          + "in an object store (one multipart upload with a 64 MiB buffer per cached response); "
          + "use --llmCache=redis://host:port[/db] on a cluster, file:/path on a mount every "
          + "TaskManager shares, or none");
    }
    if (!spec.equals("none") && !(spec.startsWith("file:") && spec.length() > 5)) {
      throw new IllegalArgumentException("--llmCache=" + spec + " is not understood; use none, "
          + "file:DIR or redis://host:port[/db]");
    }
  }

  public static ResponseCache open(String spec) throws IOException {
    check(spec);
    if (spec.equals("none")) {
      return ResponseCache.NONE;
    }
    if (spec.startsWith("redis:")) {
      return new RedisResponseCache(spec);
    }
    return new FileResponseCache(Path.of(spec.substring("file:".length())));
  }
}
