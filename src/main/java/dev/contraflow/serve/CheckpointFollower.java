package dev.contraflow.serve;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.io.record.UndecodableRecordException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the job's checkpoints topic from its beginning, read_committed, into a {@link
 * VersionCatalog}, on one background thread, for as long as serve runs.
 *
 * <p>A plain consumer with every partition assigned, no group: every serve instance needs every
 * model's statuses (the topic is small: a few records per published model version), and the
 * catalog is rebuilt from the topic at each start, so there is nothing to commit. Read committed,
 * so that a COMPLETE record of a transaction the job aborted never makes a version current.
 */
final class CheckpointFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final RecordCodec<CheckpointRecord> codec;
  private final VersionCatalog catalog;
  private final Thread thread;
  private volatile boolean running = true;

  CheckpointFollower(String bootstrapServers, Map<String, String> clientProperties, String topic,
      RecordCodec<CheckpointRecord> codec, VersionCatalog catalog) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    this.topic = topic;
    this.codec = codec;
    this.catalog = catalog;
    this.thread = new Thread(this::follow, "serve-checkpoints");
    thread.setDaemon(true);
  }

  CheckpointFollower start() {
    thread.start();
    return this;
  }

  private void follow() {
    try {
      Map<TopicPartition, Long> end = assignEveryPartition();
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          apply(r);
        }
        if (end != null && end.entrySet().stream()
            .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          catalog.caughtUp();
          end = null;
        }
      }
    } catch (WakeupException | InterruptException closing) {
      // close() asked
    } catch (RuntimeException e) {
      LOG.error("stopped reading {}: {}; the default search stays on the versions known so far",
          topic, e.toString());
      catalog.caughtUp(); // decide from what was read rather than refuse every default search
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * Waits for the topic to exist (the job creates it on its first publish), and returns where
   * each partition ends now (for read_committed, the last stable offset); null when it did not
   * exist at first: then there was nothing to catch up with.
   */
  private Map<TopicPartition, Long> assignEveryPartition() {
    boolean warned = false;
    while (running) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      if (!partitions.isEmpty()) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return warned ? null : consumer.endOffsets(partitions);
      }
      if (!warned) {
        LOG.warn("checkpoints topic {} does not exist yet: the default search answers from the "
            + "newest version seen until it does", topic);
        catalog.caughtUp();
        warned = true;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  private void apply(ConsumerRecord<byte[], byte[]> r) {
    try {
      catalog.apply(codec.decode(r.value()));
    } catch (UndecodableRecordException e) {
      LOG.warn("skipped undecodable checkpoint record at {}-{}@{}: {}", r.topic(), r.partition(),
          r.offset(), e.getMessage());
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(10_000);
  }
}
