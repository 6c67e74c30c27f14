package org.in2stream.runners.s3;

import java.util.List;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsRegistrar;

/**
 * Registers Beam's {@link S3Options} ({@code --s3ClientFactoryClass}, {@code --s3StorageClass},
 * {@code --SSEKMSKeyId}, ...) next to the {@code AwsOptions} ({@code --awsRegion},
 * {@code --endpoint}) that Beam's own registrar adds, so that every launcher and tool parses them.
 */
public final class S3OptionsRegistrar implements PipelineOptionsRegistrar {
  @Override
  public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
    return List.of(S3Options.class);
  }
}
