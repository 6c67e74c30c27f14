package org.in2stream.runners;

import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A real single-node KRaft broker (combined broker and controller) inside the test JVM. */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  public static EmbeddedKafka start() throws Exception {
    // The test kit defaults to the newest *testing* metadata version and turns on unstable API and
    // feature versions; the tests should meet what a production 3.9 broker runs instead.
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true)
        .setNumBrokerNodes(1)
        .setNumControllerNodes(1)
        .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
        .build())
        .setConfigProp("unstable.api.versions.enable", "false")
        .setConfigProp("unstable.feature.versions.enable", "false")
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        // One partition per internal topic: coordinators are ready at once on a small machine.
        .setConfigProp("offsets.topic.num.partitions", "1")
        .setConfigProp("transaction.state.log.num.partitions", "1")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return new EmbeddedKafka(cluster);
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }

  /**
   * One broker per test class: {@code @RegisterExtension static final EmbeddedKafka.PerClass KAFKA =
   * new EmbeddedKafka.PerClass();} then {@code KAFKA.bootstrapServers()}.
   */
  public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
      kafka = start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
      if (kafka != null) {
        kafka.close();
        kafka = null;
      }
    }

    public String bootstrapServers() {
      return kafka.bootstrapServers();
    }
  }
}
