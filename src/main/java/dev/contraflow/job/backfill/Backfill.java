package dev.contraflow.job.backfill;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.job.RecordCodecs;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.decode.ImageRecordDecoder;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.job.learner.ModelPublisher;
import dev.contraflow.job.sink.EmbeddingRecords;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.job.source.KafkaInput;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.ModelFile;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Re-embeds a time range of the images topic with one checkpoint and publishes the embeddings
 * with that checkpoint's version and id, so subscribers' tables can be refreshed after a model
 * upgrade. Nothing is trained. Records that cannot be used become dead letters, as in the job.
 * Each micro-batch is one Kafka transaction: read_committed consumers never see half a batch,
 * and a re-run after a crash only re-publishes embeddings that tables keep once per id anyway.
 */
public final class Backfill {

  private static final int BATCH = 256;

  /** Records with Kafka timestamps in [fromMillis, toMillis). */
  public record Range(long fromMillis, long toMillis) {
    public static Range all() {
      return new Range(0, Long.MAX_VALUE);
    }
  }

  /** Counts of one backfill: every record read is either embedded or a dead letter. */
  public record Result(long read, long embedded, long deadLetters) {}

  private final JobConfig config;
  private final PrintStream progress;

  public Backfill(JobConfig config, PrintStream progress) {
    this.config = config;
    this.progress = progress;
  }

  /** @param modelFile the checkpoint's bytes (its SHA-256 becomes the embeddings' checkpointId) */
  public Result run(byte[] modelFile, String modelId, Range range) throws Exception {
    ModelFile.Model model = ModelFile.fromBytes(modelFile);
    String checkpointId = ModelPublisher.sha256(modelFile);
    Learner learner = new Learner(model.config());
    ImageRecordDecoder decoder = new ImageRecordDecoder(config);
    EmbeddingRecords out = new EmbeddingRecords(config.topics().embeddings(),
        new RecordCodecs(config.records()).forTopic(EmbeddingRecord.class,
            config.topics().embeddings()), ModelPublisher.configHash(model.config()));
    long read = 0;
    long embedded = 0;
    long dead = 0;
    long lastPrint = System.nanoTime();
    try (var consumer = consumer(); var producer = producer(modelId, model.state().step())) {
      producer.initTransactions();
      Map<TopicPartition, Long> end = assign(consumer, range);
      List<LearnerInput> pending = new ArrayList<>();
      List<KafkaOutput> outputs = new ArrayList<>();
      while (!done(consumer, end)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (r.offset() >= end.get(tp)) {
            continue;
          }
          read++;
          KafkaInput in = new KafkaInput(r.topic(), r.partition(), r.offset(), r.timestamp(),
              r.key(), r.value());
          try {
            pending.add(decoder.decode(in));
          } catch (ImageRecordDecoder.Rejected e) {
            outputs.add(decoder.deadLetter(in, e.getMessage(), System.currentTimeMillis()));
            dead++;
          }
          if (pending.size() >= BATCH) {
            embedded += publish(learner, model, modelId, checkpointId, out, pending, outputs,
                producer);
          }
        }
        if (System.nanoTime() - lastPrint > 5e9) {
          lastPrint = System.nanoTime();
          progress.printf("backfill: %d read, %d embedded, %d dead letters%n", read, embedded,
              dead);
        }
      }
      embedded += publish(learner, model, modelId, checkpointId, out, pending, outputs, producer);
    }
    return new Result(read, embedded, dead);
  }

  private static long publish(Learner learner, ModelFile.Model model, String modelId,
      String checkpointId, EmbeddingRecords out, List<LearnerInput> pending,
      List<KafkaOutput> outputs, KafkaProducer<byte[], byte[]> producer) {
    long now = System.currentTimeMillis();
    List<Embedding> embeddings = pending.isEmpty() ? List.of()
        : learner.embed(model.state(), pending.stream().map(LearnerInput::image).toList());
    for (int i = 0; i < pending.size(); i++) {
      outputs.add(out.of(modelId, pending.get(i), embeddings.get(i), checkpointId, now));
    }
    if (!outputs.isEmpty()) {
      producer.beginTransaction();
      for (KafkaOutput o : outputs) {
        producer.send(new ProducerRecord<>(o.topic, null, o.timestamp, o.key, o.value));
      }
      producer.commitTransaction();
    }
    int n = pending.size();
    pending.clear();
    outputs.clear();
    return n;
  }

  /** Assigns every partition at the range's start; returns the offsets where it ends. */
  private Map<TopicPartition, Long> assign(KafkaConsumer<byte[], byte[]> consumer, Range range) {
    String topic = config.topics().images();
    List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30))
        .stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    if (partitions.isEmpty()) {
      throw new IllegalArgumentException("topic " + topic + " does not exist");
    }
    consumer.assign(partitions);
    Map<TopicPartition, Long> latest = consumer.endOffsets(partitions);
    Map<TopicPartition, Long> start = offsetsAt(consumer, partitions, range.fromMillis(), latest);
    Map<TopicPartition, Long> end = range.toMillis() == Long.MAX_VALUE ? latest
        : offsetsAt(consumer, partitions, range.toMillis(), latest);
    start.forEach(consumer::seek);
    return end;
  }

  private static Map<TopicPartition, Long> offsetsAt(KafkaConsumer<byte[], byte[]> consumer,
      List<TopicPartition> partitions, long millis, Map<TopicPartition, Long> latest) {
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(tp -> query.put(tp, millis));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp o = found.get(tp);
      offsets.put(tp, o == null ? latest.get(tp) : o.offset());
    }
    return offsets;
  }

  private static boolean done(KafkaConsumer<byte[], byte[]> consumer,
      Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Properties p = clientProperties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private KafkaProducer<byte[], byte[]> producer(String modelId, long version) {
    Properties p = clientProperties();
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
        "contraflow-backfill-" + modelId + "-v" + version);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private Properties clientProperties() {
    Properties p = new Properties();
    p.putAll(config.kafka().properties());
    p.put("bootstrap.servers", config.kafka().bootstrapServers());
    return p;
  }
}
