package org.in2stream.runners;

import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;

/** A real single-node KRaft broker (combined broker and controller) inside the test JVM. */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  public static EmbeddedKafka start() throws Exception {
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true)
        .setNumBrokerNodes(1)
        .setNumControllerNodes(1)
        .build())
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
}
