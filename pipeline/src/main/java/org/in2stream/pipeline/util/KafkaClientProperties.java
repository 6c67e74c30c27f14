package org.in2stream.pipeline.util;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.provider.FileConfigProvider;

/**
 * The Kafka client properties of {@code --kafkaProperties=FILE} (a Java properties file with
 * {@code security.protocol}, {@code sasl.*}, {@code ssl.*}, ...), in a form that is safe to put into
 * the job graph: every value becomes a reference {@code ${in2file:FILE:key}} that Kafka's own {@link
 * FileConfigProvider} resolves when a client is created, so the file is read by each admin client,
 * consumer and producer where it runs (on the workers, too) and no password is serialized with the
 * pipeline, shown in the Flink UI or printed in a log. Values that are already references (for
 * example {@code ${env:KAFKA_PASSWORD}} with Kafka's {@code EnvVarConfigProvider}) and the {@code
 * config.providers*} keys are copied as they are.
 */
public final class KafkaClientProperties {
  /** The name under which the file provider is registered in every client's configuration. */
  public static final String PROVIDER = "in2file";
  private static final String PROVIDERS = "config.providers";

  private KafkaClientProperties() {}

  /**
   * The client properties of {@code file}, as references (empty when {@code file} is null or
   * blank). Throws {@link IllegalArgumentException} naming the file when it cannot be read; the
   * message never quotes a value.
   */
  public static Map<String, Object> load(String file) {
    if (file == null || file.isBlank()) {
      return Collections.emptyMap();
    }
    Path path = Path.of(file.trim()).toAbsolutePath().normalize();
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("--kafkaProperties=" + file + " cannot be read ("
          + e.getClass().getSimpleName() + "); it must be a Java properties file at the same path "
          + "on the launcher and on every worker");
    }
    String where = path.toString();
    if (where.contains(":") || where.contains("}")) {
      throw new IllegalArgumentException("--kafkaProperties=" + file + ": the path may not contain "
          + "':' or '}' (Kafka's config references cannot hold them)");
    }
    Map<String, Object> out = new TreeMap<>();
    String providers = PROVIDER;
    for (String key : props.stringPropertyNames()) {
      String value = props.getProperty(key);
      if (key.equals(PROVIDERS)) {
        providers = value.isBlank() ? PROVIDER : value.trim() + "," + PROVIDER;
      } else if (key.startsWith(PROVIDERS + ".") || value.contains("${")) {
        out.put(key, value);
      } else {
        out.put(key, "${" + PROVIDER + ":" + where + ":" + key + "}");
      }
    }
    out.put(PROVIDERS, providers);
    out.put(PROVIDERS + "." + PROVIDER + ".class", FileConfigProvider.class.getName());
    return Collections.unmodifiableMap(out);
  }

  /** {@code base} with the extra properties added (the extra ones win, except bootstrap servers). */
  public static Map<String, Object> merge(Map<String, ?> base, Map<String, Object> extra) {
    Map<String, Object> out = new HashMap<>(base);
    if (extra != null) {
      extra.forEach((k, v) -> {
        if (!"bootstrap.servers".equals(k)) {
          out.put(k, v);
        }
      });
    }
    return out;
  }

  /** {@link #merge} into a {@link Properties}, for clients built from one. */
  public static Properties merge(Properties base, Map<String, Object> extra) {
    Properties out = new Properties();
    out.putAll(base);
    if (extra != null) {
      extra.forEach((k, v) -> {
        if (!"bootstrap.servers".equals(k)) {
          out.put(k, v);
        }
      });
    }
    return out;
  }

  /**
   * A consumer factory for KafkaIO ({@code withConsumerFactoryFn}) that adds the extra properties.
   * Beam's exactly-once writer opens its bookkeeping consumer with bootstrap servers and group id
   * only, so without this it cannot reach a TLS or SASL cluster.
   */
  public static SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory(
      Map<String, Object> extra) {
    return new ConsumerFactory(extra);
  }

  private static final class ConsumerFactory
      implements SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>>, Serializable {
    private final HashMap<String, Object> extra;

    ConsumerFactory(Map<String, Object> extra) {
      this.extra = extra == null ? new HashMap<>() : new HashMap<>(extra);
    }

    @Override
    public Consumer<byte[], byte[]> apply(Map<String, Object> config) {
      return new KafkaConsumer<>(merge(config, extra));
    }
  }
}
