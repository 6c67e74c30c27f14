package org.in2stream.runners.tools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.aws2.options.AwsOptions;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.in2stream.pipeline.util.FileUris;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * An output folder of the pipeline in an object store ({@code s3://bucket/prefix}), for the tools
 * that read one back (export, dataset card, output report): the files are listed and streamed
 * through Beam's {@link FileSystems}, set up with the same S3 options the job took
 * ({@code --awsRegion}, {@code --endpoint}, {@code --s3ClientFactoryClass}, ...). Credentials come
 * from the AWS default chain (environment, credential files, roles), never from the command line.
 */
final class RemoteOutput {
  /** One file of the folder. */
  record RemoteFile(String uri, String name, long sizeBytes) {}

  private RemoteOutput() {}

  /**
   * Splits {@code argv} into the tool's own options (returned) and Beam's file-system options,
   * which configure {@link FileSystems}. An option that is neither is an error naming both sets.
   */
  static String[] configure(String[] argv, Set<String> own) {
    List<String> mine = new ArrayList<>();
    List<String> beam = new ArrayList<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 2 && !own.contains(a.substring(2, eq))) {
        beam.add(a);
      } else {
        mine.add(a);
      }
    }
    PipelineOptionsFactory.register(S3Options.class);
    PipelineOptions options;
    try {
      // No validation: it asks for a runner, and the tools run none (unknown names still fail).
      options = PipelineOptionsFactory.fromArgs(beam.toArray(String[]::new)).create();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown option among " + beam + " (the tool's own are "
          + own + "; others must be Beam file-system options such as --awsRegion, --endpoint, "
          + "--s3ClientFactoryClass): " + e.getMessage());
    }
    if (options.as(AwsOptions.class).getAwsCredentialsProvider()
        instanceof StaticCredentialsProvider) {
      throw new IllegalArgumentException("--awsCredentialsProvider with a static key is refused: "
          + "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or a role)");
    }
    FileSystems.setDefaultPipelineOptions(options);
    return mine.toArray(String[]::new);
  }

  static boolean isRemote(String spec) {
    return FileUris.isRemote(spec);
  }

  /** {@code root/dir/...}: every file below, whose name passes {@code name}, sorted by URI. */
  static List<RemoteFile> list(String root, String dir, Predicate<String> name)
      throws IOException {
    String base = (root.endsWith("/") ? root : root + "/") + dir + "/**";
    MatchResult match = FileSystems.match(base, EmptyMatchTreatment.ALLOW);
    if (match.status() != MatchResult.Status.OK && match.status() != MatchResult.Status.NOT_FOUND) {
      throw new IOException("cannot list " + base + ": " + match.status());
    }
    List<RemoteFile> out = new ArrayList<>();
    if (match.status() == MatchResult.Status.OK) {
      for (MatchResult.Metadata m : match.metadata()) {
        String fileName = m.resourceId().getFilename();
        if (fileName != null && name.test(fileName)) {
          out.add(new RemoteFile(m.resourceId().toString(), fileName, m.sizeBytes()));
        }
      }
    }
    out.sort(Comparator.comparing(RemoteFile::uri));
    return out;
  }

  static InputStream open(RemoteFile file) throws IOException {
    return Channels.newInputStream(FileSystems.open(
        FileSystems.matchNewResource(file.uri(), false)));
  }

  /** The text of {@code root/name}, or null when there is no such object. */
  static String readOptional(String root, String name) throws IOException {
    String uri = (root.endsWith("/") ? root : root + "/") + name;
    MatchResult match = FileSystems.match(uri, EmptyMatchTreatment.ALLOW);
    if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
      return null;
    }
    try (InputStream in = Channels.newInputStream(FileSystems.open(
        match.metadata().get(0).resourceId()))) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
