package org.in2stream.pipeline.synth.llm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * {@code --llmCache=file:s3://bucket/prefix} (any Beam file system URI): one object per request key,
 * with the layout of {@link FileResponseCache} ({@code ab/cd/<key>.json}), so a cache folder can be
 * copied between a disk and a bucket as it is. Read and written through Beam's {@link FileSystems},
 * which the runner configures on every worker with the job's S3 options; credentials come from the
 * AWS default chain of each worker.
 *
 * <p>A lookup is one HEAD (a miss ends there) plus one GET; a store is one upload that becomes
 * visible whole when it completes (S3 has no partial objects, and reads after writes are strongly
 * consistent), so a reader sees either nothing or the whole response, as with the local files.
 * Latency is tens of milliseconds per request against seconds for an LLM call; for millions of
 * requests per hour, use {@code redis://} instead (docs/deploy.md).
 */
public final class ObjectStoreResponseCache implements ResponseCache {
  private final String root;

  public ObjectStoreResponseCache(String root) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  String uriOf(String key) {
    if (key.length() < 8 || !key.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("request keys are hex hashes");
    }
    return root + "/" + key.substring(0, 2) + "/" + key.substring(2, 4) + "/" + key + ".json";
  }

  @Override
  public Optional<byte[]> get(String requestKey) throws IOException {
    MatchResult match = FileSystems.match(uriOf(requestKey));
    if (match.status() == MatchResult.Status.NOT_FOUND
        || match.status() == MatchResult.Status.OK && match.metadata().isEmpty()) {
      return Optional.empty();
    }
    if (match.status() != MatchResult.Status.OK) {
      throw new IOException("cannot look up " + uriOf(requestKey) + ": " + match.status());
    }
    try (InputStream in = Channels.newInputStream(
        FileSystems.open(match.metadata().get(0).resourceId()))) {
      return Optional.of(in.readAllBytes());
    }
  }

  @Override
  public void put(String requestKey, byte[] body) throws IOException {
    ResourceId target = FileSystems.matchNewResource(uriOf(requestKey), false);
    try (WritableByteChannel ch = FileSystems.create(target, "application/json")) {
      ByteBuffer buf = ByteBuffer.wrap(body);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }

  @Override
  public String describe() {
    return "file:" + root;
  }
}
