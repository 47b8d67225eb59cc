package dev.contraflow.job;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.PairRecord;
import dev.contraflow.avro.SentenceRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.record.ImageRecords;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.kafka.EmbeddedKafka;
import dev.contraflow.kafka.RecordProducer;
import dev.contraflow.kafka.TopicReader;
import dev.contraflow.learn.Batch;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The embedded stack of the job tests: a real KRaft broker on loopback, jobs on Flink
 * MiniClusters, producers of image records and read_committed readers of the outputs.
 */
final class StreamingStack implements AutoCloseable {

  /**
   * A tiny CNN so a step takes milliseconds: width 4, head 16 -> 8, K = 20, B = 8; one update per
   * micro-batch, so a model version is a micro-batch count (LearnerReplayTest covers replay);
   * MoCo v2, a third of the default CMC's step (LearnerFunctionTest runs CMC in the operator).
   */
  static final List<String> TINY_LEARNER = List.of("learner.method=MOCO",
      "learner.encoder.kind=CNN",
      "learner.encoder.baseWidth=4", "learner.encoder.projectionHidden=16",
      "learner.encoder.projectionDim=8", "learner.queueSize=20", "learner.batchSize=8",
      "learner.replay.capacity=0", "learner.replay.updatesPerBatch=1");

  /** A tiny sentence encoder: 512 buckets, width 8, head 16 -> 8, K = 8, B = 4. */
  static final List<String> TINY_SENTENCE_LEARNER = List.of(
      "sentenceLearner.tokenizer.buckets=512", "sentenceLearner.tokenizer.maxTokens=8",
      "sentenceLearner.encoder.width=8", "sentenceLearner.encoder.projectionHidden=16",
      "sentenceLearner.encoder.projectionDim=8", "sentenceLearner.queueSize=8",
      "sentenceLearner.batchSize=4");

  /** A tiny CLIP: MLP image tower width 4, text tower width 8, heads 16 -> 8, B = 4. */
  static final List<String> TINY_PAIR_LEARNER = List.of("pairLearner.image.kind=MLP",
      "pairLearner.image.baseWidth=4", "pairLearner.text.width=8",
      "pairLearner.image.projectionHidden=16", "pairLearner.text.projectionHidden=16",
      "pairLearner.image.projectionDim=8", "pairLearner.text.projectionDim=8",
      "pairLearner.batchSize=4");

  final EmbeddedKafka kafka;
  final Path dir;
  /** The listener the job and the test's own clients use, and their client settings. */
  final String bootstrap;
  final Map<String, String> client;
  private final List<AutoCloseable> open = new ArrayList<>();

  private StreamingStack(EmbeddedKafka kafka, Path dir, String bootstrap,
      Map<String, String> client) {
    this.kafka = kafka;
    this.dir = dir;
    this.bootstrap = bootstrap;
    this.client = Map.copyOf(client);
  }

  static StreamingStack start(Path dir) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(dir);
    return new StreamingStack(kafka, dir, kafka.bootstrapServers(), Map.of());
  }

  /**
   * A broker with the secured listeners; the job and every client of this stack connect to
   * {@code listener} with {@code client} (as {@code kafka.properties.*} for the job).
   */
  static StreamingStack startSecured(Path dir, EmbeddedKafka.Security security,
      EmbeddedKafka.Listener listener, Map<String, String> client) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.startSecured(dir, security);
    return new StreamingStack(kafka, dir, kafka.bootstrapServers(listener), client);
  }

  /** A job named {@code name} with its own topics, store and checkpoints; tiny learner. */
  JobConfig config(String name, String... overrides) {
    JobConfig config = JobConfigLoader.defaults(settings(name, overrides));
    kafka.createTopics(config.topics().all(), 1);
    return config;
  }

  /** The settings of {@link #config}, as {@code key=value} for --set (the topics not created). */
  List<String> settings(String name, String... overrides) {
    List<String> all = new ArrayList<>(List.of(
        "kafka.bootstrapServers=" + bootstrap,
        "kafka.groupId=" + name,
        "topics.images=" + name + ".images",
        "topics.sentences=" + name + ".sentences",
        "topics.pairs=" + name + ".pairs",
        "topics.embeddings=" + name + ".embeddings",
        "topics.checkpoints=" + name + ".checkpoints",
        "topics.deadLetters=" + name + ".dead-letters",
        "job.name=" + name,
        "job.checkpointInterval=300ms",
        "job.restartDelay=200ms",
        "job.checkpointDir=" + dir.resolve(name + "-checkpoints").toUri(),
        "publish.modelStore=" + dir.resolve(name + "-models").toUri()));
    client.forEach((k, v) -> all.add("kafka.properties." + k + "=" + v));
    all.addAll(TINY_LEARNER);
    all.addAll(TINY_SENTENCE_LEARNER);
    all.addAll(TINY_PAIR_LEARNER);
    all.addAll(List.of(overrides));
    return all;
  }

  JobClient run(JobConfig config) throws Exception {
    return run(config, UnaryOperator.identity(), null);
  }

  /** Starts the job on a fresh MiniCluster, optionally from a savepoint. */
  JobClient run(JobConfig config, UnaryOperator<DataStream<LearnerInput>> beforeLearner,
      String savepoint) throws Exception {
    Configuration flink = ContraflowJob.flinkConfiguration(config);
    if (savepoint != null) {
      flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    flink.setString("metrics.reporter.capture.factory.class",
        CapturingMetricReporter.Factory.class.getName());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
    ContraflowJob.build(env, config, beforeLearner);
    return env.executeAsync(config.job().name());
  }

  /** Fashion-MNIST images from the committed subset (ids "0", "1", ...). */
  static List<Image> images(int n) throws Exception {
    try {
      Path idx = Path.of(StreamingStack.class.getResource(
          "/fashion-mnist-subset/train-images-idx3-ubyte.gz").toURI());
      return IdxReader.readImages(idx, n);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Produces the images as RAW ImageRecords (modelId null: the default model). */
  void produce(JobConfig config, List<Image> images, String modelId) throws Exception {
    produceForModels(config, images, image -> modelId);
  }

  /** As above, each image naming its own model (null: the default one). One producer for all. */
  void produceForModels(JobConfig config, List<Image> images, Function<Image, String> modelOf)
      throws Exception {
    RecordCodec<ImageRecord> codec = new RecordCodecs(config.records())
        .forTopic(ImageRecord.class, config.topics().images());
    try (RecordProducer p = new RecordProducer(bootstrap, client)) {
      for (Image image : images) {
        p.send(config.topics().images(), image.id().getBytes(StandardCharsets.UTF_8),
            codec.encode(ImageRecords.raw(image, modelOf.apply(image), "fashion-mnist",
                Instant.EPOCH)));
      }
      p.flush();
    }
  }

  void produceBytes(JobConfig config, String key, byte[] value) throws Exception {
    produceBytes(config.topics().images(), key, value);
  }

  void produceBytes(String topic, String key, byte[] value) throws Exception {
    try (RecordProducer p = new RecordProducer(bootstrap, client)) {
      p.sendNow(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }
  }

  /** Produces the sentence records to the sentences topic, keyed by id. One producer for all. */
  void produceSentences(JobConfig config, List<SentenceRecord> sentences) throws Exception {
    RecordCodec<SentenceRecord> codec = new RecordCodecs(config.records())
        .forTopic(SentenceRecord.class, config.topics().sentences());
    try (RecordProducer p = new RecordProducer(bootstrap, client)) {
      for (SentenceRecord s : sentences) {
        p.send(config.topics().sentences(), s.getId().getBytes(StandardCharsets.UTF_8),
            codec.encode(s));
      }
      p.flush();
    }
  }

  /** Produces the pair records to the pairs topic, keyed by id. One producer for all. */
  void producePairs(JobConfig config, List<PairRecord> pairs) throws Exception {
    RecordCodec<PairRecord> codec = new RecordCodecs(config.records())
        .forTopic(PairRecord.class, config.topics().pairs());
    try (RecordProducer p = new RecordProducer(bootstrap, client)) {
      for (PairRecord r : pairs) {
        p.send(config.topics().pairs(), r.getId().getBytes(StandardCharsets.UTF_8),
            codec.encode(r));
      }
      p.flush();
    }
  }

  /**
   * The records' own embeddings (kind NEW): one per record, as most tests count them. A refresh's
   * re-embeddings of the live set (on by default) are left out; {@link #allEmbeddings} has them.
   */
  TopicReader<EmbeddingRecord> embeddings(JobConfig config) {
    return track(new TopicReader<>(bootstrap, config.topics().embeddings(),
        new RecordCodecs(config.records()).forTopic(EmbeddingRecord.class,
            config.topics().embeddings()), client, e -> e.getKind() == EmbeddingKind.NEW));
  }

  /** Every embedding on the topic, refreshes included. */
  TopicReader<EmbeddingRecord> allEmbeddings(JobConfig config) {
    return track(new TopicReader<>(bootstrap, config.topics().embeddings(),
        new RecordCodecs(config.records()).forTopic(EmbeddingRecord.class,
            config.topics().embeddings()), client));
  }

  TopicReader<DeadLetterRecord> deadLetters(JobConfig config) {
    return track(new TopicReader<>(bootstrap, config.topics().deadLetters(),
        RecordCodec.singleObject(DeadLetterRecord.class), client));
  }

  TopicReader<CheckpointRecord> checkpoints(JobConfig config) {
    return track(new TopicReader<>(bootstrap, config.topics().checkpoints(),
        RecordCodec.singleObject(CheckpointRecord.class), client));
  }

  private <T extends AutoCloseable> T track(T closeable) {
    open.add(closeable);
    return closeable;
  }

  /** Waits for a condition (tests never sleep a fixed time). */
  static void await(BooleanSupplier condition, Duration timeout, Supplier<String> failure)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + ": " + failure.get());
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    kafka.close();
  }

  /** The same batches through a plain Learner: no Flink, no failure, no stop. */
  static LearnerState uninterruptedRun(JobConfig config, List<Image> images) {
    Learner<Image> learner = Learner.images(config.learner());
    LearnerState s = learner.initialState();
    int b = config.learner().batchSize();
    for (int i = 0; i < images.size(); i += b) {
      s = learner.step(s, Batch.trainingOnly(images.subList(i, Math.min(i + b, images.size()))))
          .state();
    }
    return s;
  }
}
