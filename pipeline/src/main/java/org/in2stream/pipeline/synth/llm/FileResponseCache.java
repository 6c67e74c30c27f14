package org.in2stream.pipeline.synth.llm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded default: one file per request key under a directory, fanned out by the key's first
 * four hex digits ({@code ab/cd/<key>.json}). A write goes to a temporary file that is forced to disk
 * and then renamed atomically, so a reader sees either nothing or the whole response, even across
 * processes (several TaskManagers on one machine) or a crash. On a cluster, point it at a shared
 * mount or use the Redis store.
 */
public final class FileResponseCache implements ResponseCache {
  private static final AtomicLong TEMP_COUNTER = new AtomicLong();
  private final Path root;

  public FileResponseCache(Path root) throws IOException {
    this.root = root.toAbsolutePath();
    Files.createDirectories(this.root);
  }

  Path pathOf(String key) {
    if (key.length() < 8 || !key.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("request keys are hex hashes");
    }
    return root.resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key + ".json");
  }

  @Override
  public Optional<byte[]> get(String requestKey) throws IOException {
    try {
      return Optional.of(Files.readAllBytes(pathOf(requestKey)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void put(String requestKey, byte[] body) throws IOException {
    Path target = pathOf(requestKey);
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid()
        + "-" + TEMP_COUNTER.incrementAndGet());
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(body);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public String describe() {
    return "file:" + root;
  }
}
