package org.in2stream.runners.s3;

import org.apache.beam.sdk.io.aws2.common.ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * S3 clients for S3-compatible stores (MinIO, Ceph RGW, s3proxy, ...) that serve buckets under the
 * path ({@code http://host:9000/bucket/key}) rather than as a host name: Beam's default client
 * builder plus path-style access. Select it with
 * {@code --s3ClientFactoryClass=org.in2stream.runners.s3.PathStyleS3Clients} next to
 * {@code --endpoint=http://host:port --awsRegion=...}. Region, endpoint, proxy and retry settings
 * still come from Beam's {@code AwsOptions}; credentials from the AWS default chain on each worker
 * (environment, credential files, instance or pod roles), never from pipeline options.
 */
public final class PathStyleS3Clients implements S3ClientBuilderFactory {
  @Override
  public S3ClientBuilder createBuilder(S3Options options) {
    S3ClientBuilder builder = ClientBuilderFactory.getFactory(options).create(S3Client.builder(),
        options);
    return builder.forcePathStyle(true);
  }
}
