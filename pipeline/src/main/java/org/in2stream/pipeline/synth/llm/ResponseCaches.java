package org.in2stream.pipeline.synth.llm;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens the response cache named by {@code --llmCache}: {@code none}, {@code file:DIR} (embedded, one
 * machine or a shared mount; a Beam file system URI such as {@code file:s3://bucket/prefix} stores
 * one object per response: {@link ObjectStoreResponseCache}) or {@code redis://host:port[/db]}
 * (networked, for a cluster).
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
    String dir = spec.substring("file:".length());
    if (org.in2stream.pipeline.util.FileUris.isRemote(dir)) {
      return new ObjectStoreResponseCache(dir);
    }
    return new FileResponseCache(Path.of(dir));
  }
}
