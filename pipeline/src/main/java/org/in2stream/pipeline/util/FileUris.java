package org.in2stream.pipeline.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Files named by a URI of a Beam file system other than the local one ({@code s3://bucket/key} with
 * the AWS module on the class path, {@code gs://}, ...), read through {@link FileSystems}: on a
 * worker the runner has registered the file systems with the job's options (region, endpoint,
 * client factory); in a launcher or tool, {@code FileSystems.setDefaultPipelineOptions} must have
 * run first. Local paths and {@code file://} URIs are not "remote".
 */
public final class FileUris {
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.+");

  private FileUris() {}

  /** True for {@code scheme://...} with a scheme other than {@code file}. */
  public static boolean isRemote(String spec) {
    return spec != null && SCHEME.matcher(spec).matches()
        && !spec.regionMatches(true, 0, "file://", 0, 7);
  }

  /** The one object at {@code uri}; {@link java.io.FileNotFoundException} when there is none. */
  public static MatchResult.Metadata single(String uri) throws IOException {
    return FileSystems.matchSingleFileSpec(uri);
  }

  /** Opens the object at {@code uri} for reading. */
  public static InputStream open(String uri) throws IOException {
    return Channels.newInputStream(FileSystems.open(single(uri).resourceId()));
  }
}
