package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for the object-storage tests: s3proxy with signature checks over an
 * in-memory store, one bucket, and a path-style client. The job and the tools get the credentials
 * the way a worker does, from the AWS default chain (the {@code aws.accessKeyId} and
 * {@code aws.secretAccessKey} system properties here, the in-JVM stand-in for the environment
 * variables), never from pipeline options.
 */
final class LocalS3 implements AutoCloseable {
  private final S3Proxy proxy;
  private final S3Client client;
  private final URI endpoint;

  private LocalS3(S3Proxy proxy, S3Client client, URI endpoint) {
    this.proxy = proxy;
    this.client = client;
    this.endpoint = endpoint;
  }

  /** Starts the server, creates {@code bucket} and sets the credentials' system properties. */
  static LocalS3 start(String keyId, String secret, String bucket) throws Exception {
    BlobStoreContext store = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(store.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, keyId, secret)
        // Beam's S3 channel always sends x-amz-server-side-encryption-bucket-key-enabled (false
        // here), which S3, MinIO and Ceph accept and s3proxy rejects with 501 unless told not to.
        .ignoreUnknownHeaders(true)
        .build();
    proxy.start();
    for (int i = 0; i < 100 && !"STARTED".equals(proxy.getState()); i++) {
      Thread.sleep(100);
    }
    assertEquals("STARTED", proxy.getState(), "s3proxy state");
    URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    S3Client client = S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(keyId, secret)))
        .build();
    client.createBucket(b -> b.bucket(bucket));
    System.setProperty("aws.accessKeyId", keyId);
    System.setProperty("aws.secretAccessKey", secret);
    return new LocalS3(proxy, client, endpoint);
  }

  S3Client client() {
    return client;
  }

  URI endpoint() {
    return endpoint;
  }

  @Override
  public void close() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    client.close();
    proxy.stop();
  }
}
