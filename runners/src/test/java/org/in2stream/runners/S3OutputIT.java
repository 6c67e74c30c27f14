package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.runners.s3.PathStyleS3Clients;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.OutputReport;
import org.in2stream.runners.tools.ProduceDocs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code --output=s3://bucket/prefix} against a real S3-compatible server (s3proxy on a transient
 * blob store, speaking the S3 REST API with signature checks): the same replay runs once into a local
 * folder and once into the bucket, and every object read back through the S3 API equals the local
 * file of the same name, byte for byte. The job gets its credentials the way a worker does, from the
 * AWS default chain (here the {@code aws.accessKeyId}/{@code aws.secretAccessKey} system properties,
 * the in-JVM stand-in for the environment variables), never from pipeline options.
 */
class S3OutputIT {
  @RegisterExtension
  static final EmbeddedKafka.PerClass kafka = new EmbeddedKafka.PerClass();

  private static final String KEY_ID = "in2-test-key";
  private static final String SECRET = "in2-test-secret";
  private static final String BUCKET = "in2-out";
  private static LocalS3 server;
  private static S3Client s3;
  private static URI endpoint;

  @BeforeAll
  static void startS3() throws Exception {
    server = LocalS3.start(KEY_ID, SECRET, BUCKET);
    s3 = server.client();
    endpoint = server.endpoint();
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void replayWritesTheSameFilesToS3AsToALocalFolder(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.Summary generated = GenerateCorpus.generate(corpus, 120, 14, true);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "s3-docs", 2);
    long sent = ProduceDocs.produce(kafka.bootstrapServers(), "s3-docs", corpus);
    assertEquals(generated.documents() + generated.badRecords(), sent);

    Path local = tmp.resolve("local");
    runJob("--output=" + local.toAbsolutePath());
    String prefix = "runs/replay-1";
    runJob("--output=s3://" + BUCKET + "/" + prefix,
        "--awsRegion=us-east-1",
        "--endpoint=" + endpoint,
        "--s3ClientFactoryClass=" + PathStyleS3Clients.class.getName());

    Map<String, byte[]> localFiles = new TreeMap<>();
    try (Stream<Path> files = Files.walk(local)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        localFiles.put(local.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
      }
    }
    Map<String, byte[]> remote = new TreeMap<>();
    for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix + "/"))
        .contents()) {
      remote.put(o.key().substring(prefix.length() + 1), s3.getObject(
          b -> b.bucket(BUCKET).key(o.key()), ResponseTransformer.toBytes()).asByteArray());
    }
    System.out.printf("S3 round trip: %d objects, %,d bytes under s3://%s/%s%n", remote.size(),
        remote.values().stream().mapToLong(b -> b.length).sum(), BUCKET, prefix);

    assertEquals(localFiles.keySet(), remote.keySet(), "the same file names in both outputs");
    for (String name : List.of("avro", "parquet", "jsonl")) {
      assertTrue(remote.keySet().stream().anyMatch(k -> k.endsWith("." + name)),
          "a ." + name + " object in " + remote.keySet());
    }
    for (Map.Entry<String, byte[]> e : localFiles.entrySet()) {
      assertArrayEquals(e.getValue(), remote.get(e.getKey()), "bytes of " + e.getKey());
    }

    // The local copy is the reference: it holds every record sent, as an example or a dead letter.
    OutputReport.Report report = OutputReport.read(local);
    assertEquals(List.of(), report.violations());
    assertEquals(sent, report.inputsAccounted().size());
    assertTrue(report.examples().size() >= 100, "examples: " + report.examples().size());
    System.out.printf("S3 round trip: %d examples and %d dead letters, identical in S3%n",
        report.examples().size(), report.failuresByReason().values().stream()
            .mapToInt(Integer::intValue).sum());
  }

  private static void runJob(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of(
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=s3-docs",
        "--outputFormats=avro,parquet,jsonl",
        "--numShards=2",
        "--parallelism=2",
        "--minContextTokens=2048",
        "--maxContextTokens=8192"));
    args.addAll(List.of(extra));
    In2Main.Options options = In2Main.parse(args.toArray(String[]::new));
    In2Main.rejectSecretsInOptions(options);
    PipelineResult result = In2Main.run(options, PipelineConfig.from(options));
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
  }
}
