package dev.contraflow.cli;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.io.record.UndecodableRecordException;
import dev.contraflow.job.RecordCodecs;
import dev.contraflow.job.config.JobConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the job's output topics hold committed since {@code learn} started, as a subscriber with
 * {@code isolation.level=read_committed} sees it: embeddings and dead letters counted (records of
 * aborted transactions never count; a refresh's re-embeddings of the live set are left out, so
 * that "embeddings" stays one per record read), and the newest model version per model from the
 * checkpoint records. A background consumer without a group reads from the end of each partition at start.
 */
final class CommittedOutputs implements AutoCloseable {

  private final AtomicLong embeddings = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();
  private final Map<String, Long> published = new ConcurrentHashMap<>();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;

  CommittedOutputs(JobConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafka().properties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "contraflow-learn-status");
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    JobConfig.Topics topics = config.topics();
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(topics.embeddings(), topics.deadLetters(), topics.checkpoints())) {
      consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // fixes the start now, not at the first poll
    RecordCodec<CheckpointRecord> checkpoints = new RecordCodecs(config.records())
        .forTopic(CheckpointRecord.class, topics.checkpoints());
    RecordCodec<EmbeddingRecord> embeddingCodec = new RecordCodecs(config.records())
        .forTopic(EmbeddingRecord.class, topics.embeddings());
    this.thread = new Thread(() -> poll(topics, embeddingCodec, checkpoints),
        "learn-status-outputs");
    thread.setDaemon(true);
    thread.start();
  }

  long embeddings() {
    return embeddings.get();
  }

  long deadLetters() {
    return deadLetters.get();
  }

  /** The newest version committed to the checkpoints topic, per model. */
  Map<String, Long> published() {
    return Map.copyOf(published);
  }

  private void poll(JobConfig.Topics topics, RecordCodec<EmbeddingRecord> embeddingCodec,
      RecordCodec<CheckpointRecord> codec) {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.topic().equals(topics.embeddings())) {
            if (!isRefresh(r.value(), embeddingCodec)) {
              embeddings.incrementAndGet();
            }
          } else if (r.topic().equals(topics.deadLetters())) {
            deadLetters.incrementAndGet();
          } else {
            newestVersion(r.value(), codec);
          }
        }
      }
    } catch (WakeupException | InterruptException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private static boolean isRefresh(byte[] value, RecordCodec<EmbeddingRecord> codec) {
    try {
      return codec.decode(value).getKind() == EmbeddingKind.REFRESH;
    } catch (UndecodableRecordException e) {
      return false; // not the job's: counted as an embedding, as the topic's readers would see it
    }
  }

  private void newestVersion(byte[] value, RecordCodec<CheckpointRecord> codec) {
    try {
      CheckpointRecord c = codec.decode(value);
      if (c.getStatus() != CheckpointStatus.PUBLISHED) {
        return; // a gated-out model or a refresh's completion: not a newly published version
      }
      published.merge(c.getModelId(), c.getModelVersion(), Math::max);
    } catch (UndecodableRecordException e) {
      // not the job's: the status shows what the job published, the topic's readers judge the rest
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(10_000);
  }
}
