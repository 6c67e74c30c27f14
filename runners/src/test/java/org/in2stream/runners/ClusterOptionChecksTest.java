package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.in2stream.pipeline.config.PipelineConfig;
import org.junit.jupiter.api.Test;

/** The option checks of {@link In2Main#prepare} that guard secrets and worker-local paths. */
class ClusterOptionChecksTest {
  private static final String[] BASE = {"--bootstrapServers=localhost:1", "--inputTopic=docs",
      "--output=/tmp/in2-out"};

  private static In2Main.Options parse(String... extra) {
    String[] all = new String[BASE.length + extra.length];
    System.arraycopy(BASE, 0, all, 0, BASE.length);
    System.arraycopy(extra, 0, all, BASE.length, extra.length);
    return In2Main.parse(all);
  }

  @Test
  void staticAwsCredentialsInOptionsAreRefused() {
    In2Main.Options o = parse("--awsCredentialsProvider={\"@type\":\"StaticCredentialsProvider\","
        + "\"accessKeyId\":\"AKIA-TEST\",\"secretAccessKey\":\"not-a-secret\"}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> In2Main.rejectSecretsInOptions(o));
    assertTrue(e.getMessage().contains("AWS_ACCESS_KEY_ID"), e.getMessage());
    assertTrue(!e.getMessage().contains("not-a-secret"), "the message does not repeat the secret");
  }

  @Test
  void theDefaultCredentialChainAndEndpointSettingsPass() {
    assertDoesNotThrow(() -> In2Main.rejectSecretsInOptions(parse("--awsRegion=eu-west-1",
        "--endpoint=http://minio.local:9000",
        "--s3ClientFactoryClass=org.in2stream.runners.s3.PathStyleS3Clients")));
  }

  @Test
  void aCustomerEncryptionKeyInOptionsIsRefused() {
    In2Main.Options o = parse("--SSECustomerKey={\"key\":\"86glyTlCNZgccSxW8JxMa6ZdjdK3N141glAysPUZ3AA=\","
        + "\"algorithm\":\"AES256\"}");
    assertThrows(IllegalArgumentException.class, () -> In2Main.rejectSecretsInOptions(o));
  }

  private static final String[] LLM = {"--generator=openai", "--llmUrl=http://127.0.0.1:1/v1",
      "--llmModel=m"};

  private static void checkCache(String master, String cache) {
    String[] extra = new String[LLM.length + 2];
    System.arraycopy(LLM, 0, extra, 0, LLM.length);
    extra[LLM.length] = "--flinkMaster=" + master;
    extra[LLM.length + 1] = "--llmCache=" + cache;
    In2Main.Options o = parse(extra);
    In2Main.checkCachePathOnCluster(o, PipelineConfig.from(o));
  }

  @Test
  void aRelativeFileCacheOnAClusterIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> checkCache("jobmanager:8081", "file:.local/llm-cache"));
    assertTrue(e.getMessage().contains("relative to each TaskManager's working directory"),
        e.getMessage());
  }

  @Test
  void theDefaultCacheOnAClusterIsAnErrorToo() {
    In2Main.Options o = parse("--generator=openai", "--llmUrl=http://127.0.0.1:1/v1",
        "--llmModel=m", "--flinkMaster=jobmanager:8081");
    assertThrows(IllegalArgumentException.class,
        () -> In2Main.checkCachePathOnCluster(o, PipelineConfig.from(o)));
  }

  @Test
  void absoluteSharedOrNoCacheOnAClusterAndAnyCacheLocallyPass() {
    assertDoesNotThrow(() -> checkCache("jobmanager:8081", "file:/mnt/in2/llm-cache"));
    assertDoesNotThrow(() -> checkCache("jobmanager:8081", "redis://cache:6379"));
    assertDoesNotThrow(() -> checkCache("jobmanager:8081", "none"));
    assertDoesNotThrow(() -> checkCache("[local]", "file:.local/llm-cache"));
  }
}
