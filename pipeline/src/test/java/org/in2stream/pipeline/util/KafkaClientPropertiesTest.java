package org.in2stream.pipeline.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {
  @Test
  void valuesBecomeFileReferencesThatKafkaResolves(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("client.properties");
    Files.writeString(file, String.join("\n",
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=SCRAM-SHA-512",
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"u\" password=\"s3cret-value\";",
        "client.id=${env:IN2_NOT_SET_ANYWHERE}",
        "config.providers=env",
        "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider"));
    Map<String, Object> props = KafkaClientProperties.load(file.toString());
    assertFalse(props.toString().contains("s3cret-value"), props.toString());
    assertEquals("${in2file:" + file + ":security.protocol}", props.get("security.protocol"));
    assertEquals("${env:IN2_NOT_SET_ANYWHERE}", props.get("client.id"), "references stay");
    assertEquals("env,in2file", props.get("config.providers"));

    // Kafka's own config parsing resolves the references by reading the file.
    Map<String, Object> merged = KafkaClientProperties.merge(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        "org.apache.kafka.common.serialization.ByteArrayDeserializer",
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        "org.apache.kafka.common.serialization.ByteArrayDeserializer"), props);
    ConsumerConfig parsed = new ConsumerConfig(merged);
    assertEquals("SASL_PLAINTEXT", parsed.getString("security.protocol"));
    assertEquals("SCRAM-SHA-512", parsed.getString(SaslConfigs.SASL_MECHANISM));
    assertTrue(parsed.getPassword(SaslConfigs.SASL_JAAS_CONFIG).value().contains("s3cret-value"));
    assertEquals("localhost:1", merged.get("bootstrap.servers"), "the file never overrides it");
  }

  @Test
  void noFileMeansNoExtraProperties() {
    assertTrue(KafkaClientProperties.load(null).isEmpty());
    assertTrue(KafkaClientProperties.load(" ").isEmpty());
  }

  @Test
  void unreadableFileNamesTheOption(@TempDir Path tmp) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KafkaClientProperties.load(tmp.resolve("absent.properties").toString()));
    assertTrue(e.getMessage().startsWith("--kafkaProperties="), e.getMessage());
  }
}
