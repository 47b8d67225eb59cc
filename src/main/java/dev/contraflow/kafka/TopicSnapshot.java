package dev.contraflow.kafka;

import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.io.record.UndecodableRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Everything committed on a topic right now, from the beginning to the end offsets taken at the
 * start (read_committed, no consumer group): what a replay tool needs, with no offsets committed.
 */
public final class TopicSnapshot {

  private TopicSnapshot() {}

  public static <T extends SpecificRecord> List<T> read(String bootstrapServers, String topic,
      RecordCodec<T> codec, Map<String, String> clientProperties, Duration timeout) {
    return read(bootstrapServers, topic, TimeRange.all(), codec, clientProperties, timeout);
  }

  /** The committed records of {@code topic} in {@code range}, partition by partition. */
  public static <T extends SpecificRecord> List<T> read(String bootstrapServers, String topic,
      TimeRange range, RecordCodec<T> codec, Map<String, String> clientProperties,
      Duration timeout) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<T> out = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      Map<TopicPartition, Long> end = range.assign(consumer, topic, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!TimeRange.reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within "
              + timeout);
        }
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
            continue;
          }
          try {
            out.add(codec.decode(r.value()));
          } catch (UndecodableRecordException e) {
            System.err.printf("skipping %s-%d@%d: %s%n", r.topic(), r.partition(), r.offset(),
                e.getMessage());
          }
        }
      }
    }
    return out;
  }
}
