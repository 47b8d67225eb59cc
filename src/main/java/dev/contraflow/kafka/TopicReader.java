package dev.contraflow.kafka;

import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.io.record.UndecodableRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from the beginning with {@code isolation.level=read_committed} in a background
 * thread and keeps every record it decodes: what a subscriber of the job's outputs sees. Records
 * of an aborted transaction never show up here.
 */
public final class TopicReader<T extends SpecificRecord> implements AutoCloseable {

  private final List<T> records = new ArrayList<>();
  private final List<Long> arrivals = new ArrayList<>();
  private final List<String> undecodable = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  public TopicReader(String bootstrapServers, String topic, RecordCodec<T> codec,
      Map<String, String> clientProperties) {
    this(bootstrapServers, topic, codec, clientProperties, record -> true);
  }

  /**
   * Keeping only the records {@code keep} accepts: e.g. the records' own embeddings ({@code kind
   * == NEW}) without a refresh's re-embeddings of the live set.
   */
  public TopicReader(String bootstrapServers, String topic, RecordCodec<T> codec,
      Map<String, String> clientProperties, Predicate<? super T> keep) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "contraflow-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
    this.thread = new Thread(() -> poll(p, topic, codec, keep), "read-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  private void poll(Properties p, String topic, RecordCodec<T> codec,
      Predicate<? super T> keep) {
    try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            T record = codec.decode(r.value());
            if (!keep.test(record)) {
              continue;
            }
            synchronized (records) {
              records.add(record);
              arrivals.add(System.currentTimeMillis());
            }
          } catch (UndecodableRecordException e) {
            undecodable.add(r.topic() + "-" + r.partition() + "@" + r.offset() + ": "
                + e.getMessage());
          }
        }
      }
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      // closing
    }
  }

  /** A snapshot of the records read so far. */
  public List<T> records() {
    synchronized (records) {
      return new ArrayList<>(records);
    }
  }

  /**
   * The records read so far from index {@code from} on (empty when none yet): a poller that keeps
   * its place copies only what is new, not the whole topic each time.
   */
  public List<T> recordsFrom(int from) {
    synchronized (records) {
      return new ArrayList<>(records.subList(Math.min(from, records.size()), records.size()));
    }
  }

  /** Wall-clock time (ms) each record of {@link #records()} was read, in the same order. */
  public List<Long> arrivalMillis() {
    synchronized (records) {
      return new ArrayList<>(arrivals);
    }
  }

  public int count() {
    synchronized (records) {
      return records.size();
    }
  }

  /** Values on the topic that were not records of the expected type (should stay empty). */
  public List<String> undecodable() {
    return new ArrayList<>(undecodable);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }
}
