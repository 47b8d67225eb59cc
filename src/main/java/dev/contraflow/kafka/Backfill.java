package dev.contraflow.kafka;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.RecordCodecs;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.decode.ImageRecordDecoder;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.job.learner.ModelPublisher;
import dev.contraflow.job.sink.EmbeddingRecords;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.job.source.KafkaInput;
import dev.contraflow.kafka.TimeRange;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.ModelFile;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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

  /** Counts of one backfill: every record read is either embedded or a dead letter. */
  public record Result(long read, long embedded, long deadLetters) {}

  private final JobConfig config;
  private final PrintStream progress;

  public Backfill(JobConfig config, PrintStream progress) {
    this.config = config;
    this.progress = progress;
  }

  /** @param modelFile the checkpoint's bytes (its SHA-256 becomes the embeddings' checkpointId) */
  public Result run(byte[] modelFile, String modelId, TimeRange range) throws Exception {
    if (!config.topics().readsImages()) {
      throw new IllegalArgumentException("backfill re-embeds the images topic, but topics.images "
          + "is empty in this configuration");
    }
    ModelFile.Model model = ModelFile.fromBytes(modelFile);
    String checkpointId = ModelPublisher.sha256(modelFile);
    Learner<Image> learner = Learner.images(model.config());
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
      Map<TopicPartition, Long> end = range.assign(consumer, config.topics().images(),
          Duration.ofSeconds(30));
      List<LearnerInput> pending = new ArrayList<>();
      List<KafkaOutput> outputs = new ArrayList<>();
      while (!TimeRange.reached(consumer, end)) {
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

  private static long publish(Learner<Image> learner, ModelFile.Model model, String modelId,
      String checkpointId, EmbeddingRecords out, List<LearnerInput> pending,
      List<KafkaOutput> outputs, KafkaProducer<byte[], byte[]> producer) {
    long now = System.currentTimeMillis();
    List<Embedding> embeddings = pending.isEmpty() ? List.of()
        : learner.embed(model.state(), pending.stream().map(LearnerInput::image).toList());
    for (int i = 0; i < pending.size(); i++) {
      LearnerInput in = pending.get(i);
      outputs.add(out.of(modelId, in.id, Modality.IMAGE, in, embeddings.get(i), checkpointId,
          now));
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
