package org.in2stream.pipeline.source;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.util.KafkaClientProperties;

/**
 * Before a replay starts: does the corpus of each event-time window hold enough tokens to fill the
 * configured context lengths? Fillers come from the other documents of an example's window, so a
 * window whose documents hold fewer tokens than a sampled length can only give {@code
 * INSUFFICIENT_FILLER} dead letters. Reads the replay's values (small replays only) and counts
 * their tokens with the job's tokenizer, by Kafka timestamp window, as the pipeline does.
 */
public final class WindowCorpusCheck {
  /** Replays above this many records are not read twice; the check says it was skipped. */
  public static final long MAX_RECORDS = 20_000;

  private WindowCorpusCheck() {}

  /** Tokens per window start (epoch millis). */
  public record Windows(TreeMap<Long, Long> tokens) {}

  /**
   * A one-line warning when some window cannot fill {@code maxContextTokens}, or empty. Counts
   * windows below {@code minContextTokens} (no example can be filled there) and below {@code
   * maxContextTokens} (the longer sampled lengths cannot).
   */
  public static Optional<String> verdict(Windows w, int minContextTokens, int maxContextTokens,
      long windowSeconds) {
    if (w.tokens().isEmpty()) {
      return Optional.empty();
    }
    long belowMin = w.tokens().values().stream().filter(t -> t < minContextTokens).count();
    long belowMax = w.tokens().values().stream().filter(t -> t < maxContextTokens).count();
    if (belowMax == 0) {
      return Optional.empty();
    }
    long smallest = w.tokens().values().stream().mapToLong(Long::longValue).min().orElse(0);
    long largest = w.tokens().values().stream().mapToLong(Long::longValue).max().orElse(0);
    return Optional.of(String.format("%d of %d event-time windows (--windowSeconds=%d) hold fewer "
        + "tokens than --maxContextTokens=%d, %d of them fewer than --minContextTokens=%d "
        + "(smallest %d, largest %d tokens): examples whose sampled length exceeds their window's "
        + "corpus get shorter contexts, and below --minContextTokens they become "
        + "INSUFFICIENT_FILLER dead letters; use a larger --windowSeconds or --fillerHorizonWindows, "
        + "smaller context lengths, or more input", belowMax, w.tokens().size(), windowSeconds,
        maxContextTokens, belowMin, minContextTokens, smallest, largest));
  }

  /**
   * Reads the ranges (at most {@link #MAX_RECORDS} records, else empty) and counts tokens per
   * window; values above {@code maxDocumentBytes} are left out, as the pipeline dead-letters them.
   */
  public static Optional<Windows> read(String bootstrapServers, List<PartitionRange> ranges,
      Map<String, Object> clientProperties, TextTokenizer tokenizer, long windowSeconds,
      long maxDocumentBytes) {
    long total = ranges.stream().mapToLong(PartitionRange::size).sum();
    if (total == 0 || total > MAX_RECORDS) {
      return Optional.empty();
    }
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    long windowMillis = windowSeconds * 1000;
    TreeMap<Long, Long> tokens = new TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        KafkaClientProperties.merge(props, clientProperties))) {
      for (PartitionRange r : ranges) {
        if (r.size() == 0) {
          continue;
        }
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        consumer.assign(List.of(tp));
        consumer.seek(tp, r.from());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long next = r.from();
        while (next < r.to() && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
            if (rec.offset() >= r.to()) {
              next = r.to();
              break;
            }
            next = rec.offset() + 1;
            byte[] v = rec.value();
            if (v == null || v.length > maxDocumentBytes) {
              continue;
            }
            long window = Math.floorDiv(rec.timestamp(), windowMillis) * windowMillis;
            tokens.merge(window, (long) tokenizer.count(new String(v, StandardCharsets.UTF_8)),
                Long::sum);
          }
        }
      }
    }
    return Optional.of(new Windows(tokens));
  }
}
