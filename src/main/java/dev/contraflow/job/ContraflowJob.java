package dev.contraflow.job;

import dev.contraflow.encoder.NativeMemory;
import dev.contraflow.encoder.NativeThreads;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigOptions;
import dev.contraflow.job.decode.ImageRecordDecoder;
import dev.contraflow.job.decode.KeyedInput;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.job.decode.PairInput;
import dev.contraflow.job.decode.PairRecordDecoder;
import dev.contraflow.job.decode.RecordDecoder;
import dev.contraflow.job.decode.SentenceInput;
import dev.contraflow.job.decode.SentenceRecordDecoder;
import dev.contraflow.job.learner.LearnerFunction;
import dev.contraflow.job.learner.ModelPublisher;
import dev.contraflow.job.sink.DeadLetterTopic;
import dev.contraflow.job.sink.KafkaOutput;
import dev.contraflow.job.sink.KafkaOutputSerializer;
import dev.contraflow.job.source.KafkaInput;
import dev.contraflow.job.source.KafkaInputDeserializer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * The streaming job: for each input topic (images, sentences, image-caption pairs), Kafka ->
 * decode + validate -> keyBy(modelId) -> that kind's learner; one exactly-once Kafka sink for the
 * embeddings, checkpoint records and dead letters of all.
 *
 * <pre>
 * images    ──► decode + validate ──► keyBy(modelId) ──► LearnerFunction (MoCo ...) ──┐
 * sentences ──► decode + validate ──► keyBy(modelId) ──► LearnerFunction (ESimCSE) ───┼──► KafkaSink
 * pairs     ──► decode + validate ──► keyBy(modelId) ──► LearnerFunction (CLIP) ──────┤  EXACTLY_ONCE
 *                each decoder's dead letters ─────────────────────────────────────────┘
 * </pre>
 *
 * <p>An input topic left empty in the configuration turns its branch off.
 *
 * <p>{@link #main} is the entry point for a Flink cluster ({@code flink run}, or the REST API's
 * {@code /jars/:id/run} with entryClass {@code dev.contraflow.job.ContraflowJob}); it takes
 * {@code --config FILE} and any number of {@code --set key=value}.
 */
public final class ContraflowJob {

  /** Operator ids: state in savepoints is matched by them, so they never change. */
  public static final String SOURCE_UID = "images-source-v1";
  public static final String DECODE_UID = "decode-images-v1";
  public static final String LEARNER_UID = "learner-v1";
  public static final String SINK_UID = "kafka-sink-v1";
  public static final String SENTENCE_SOURCE_UID = "sentences-source-v1";
  public static final String SENTENCE_DECODE_UID = "decode-sentences-v1";
  public static final String SENTENCE_LEARNER_UID = "sentence-learner-v1";
  public static final String PAIR_SOURCE_UID = "pairs-source-v1";
  public static final String PAIR_DECODE_UID = "decode-pairs-v1";
  public static final String PAIR_LEARNER_UID = "pair-learner-v1";

  private static final int MAX_REQUEST_BYTES = 16 << 20;
  /** Flink's Prometheus reporter (flink-metrics-prometheus), found by name as on a cluster. */
  static final String PROMETHEUS_REPORTER =
      "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

  private ContraflowJob() {}

  /**
   * Flink settings the job needs: checkpoints, state backend, restarts, parallelism, and the
   * Prometheus reporter when {@code metrics.prometheus.port} is set (local runs).
   */
  public static Configuration flinkConfiguration(JobConfig config) {
    JobConfig.Job job = config.job();
    Configuration c = new Configuration();
    c.set(PipelineOptions.NAME, job.name());
    c.set(CoreOptions.DEFAULT_PARALLELISM, job.parallelism());
    c.set(PipelineOptions.MAX_PARALLELISM, job.maxParallelism());
    c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, job.checkpointInterval());
    c.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, job.checkpointTimeout());
    // Flink's default, 0, fails the job over at the first failed checkpoint: one slow write to
    // the checkpoint storage would then cost a restart and the replay since the last checkpoint
    c.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, job.tolerableCheckpointFailures());
    c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, job.checkpointDir().toString());
    // kept when the job is cancelled and when it fails for good (RETAIN_ON_CANCELLATION retains
    // on both): the learners' state is only in checkpoints, and a restart budget spent must not
    // take it with it (issue 15)
    c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    c.set(StateBackendOptions.STATE_BACKEND, "hashmap");
    // exponential-delay, not fixed-delay: fixed-delay's attempts count over the job's whole life
    // (a job that survived ten faults in a year fails for good at the eleventh), and its constant
    // delay spends them all in seconds when a TaskManager dies - until its heartbeat times out,
    // every restart is deployed to the dead one and fails (ops/faults.sh: 5 restarts in 11 s)
    c.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS,
        job.restartAttempts());
    c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
        job.restartDelay());
    c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
        job.restartMaxDelay());
    c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
    c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
        job.restartResetAfter());
    // no jitter: the delays then sum to exactly what the transaction timeout is checked against
    c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.0);
    JobConfig.Prometheus prometheus = config.metrics().prometheus();
    if (prometheus.enabled()) {
      c.setString("metrics.reporter.prom.factory.class", PROMETHEUS_REPORTER);
      c.setString("metrics.reporter.prom.port", prometheus.port());
    }
    return c;
  }

  /** Adds the job to {@code env}. */
  public static void build(StreamExecutionEnvironment env, JobConfig config) {
    build(env, config, UnaryOperator.identity());
  }

  /**
   * Adds the job to {@code env}, passing the decoded image stream through {@code beforeLearner}
   * (tests use it to inject a failure).
   */
  public static void build(StreamExecutionEnvironment env, JobConfig config,
      UnaryOperator<DataStream<LearnerInput>> beforeLearner) {
    List<DataStream<KafkaOutput>> outputs = new ArrayList<>();
    for (Branch<?> branch : branches(config, beforeLearner)) {
      if (branch.reads()) {
        branch.addTo(env, config, outputs);
      }
    }
    DataStream<KafkaOutput> all = outputs.get(0);
    for (DataStream<KafkaOutput> more : outputs.subList(1, outputs.size())) {
      all = all.union(more);
    }
    all.sinkTo(sink(config))
        .uid(SINK_UID)
        .name("kafka: embeddings, checkpoints, dead letters");
  }

  /**
   * One input topic and the learner it feeds: source, decoder (dead letters to the sink) and the
   * keyed learner, with the operator uids savepoints know them by.
   *
   * @param reads whether the job reads this topic
   * @param beforeLearner applied to the decoded stream before the learner (tests inject failures)
   */
  private record Branch<I extends KeyedInput>(String modality, boolean reads, String topic,
      Supplier<RecordDecoder<?, I>> decoder, Supplier<LearnerFunction<I, ?>> learner,
      String sourceUid, String decodeUid, String learnerUid, String learnerName,
      UnaryOperator<DataStream<I>> beforeLearner) {

    void addTo(StreamExecutionEnvironment env, JobConfig config,
        List<DataStream<KafkaOutput>> outputs) {
      SingleOutputStreamOperator<I> decoded = decoded(env, config, topic, decoder.get(), modality,
          sourceUid, decodeUid, outputs);
      outputs.add(learn(beforeLearner.apply(decoded), learner.get(), learnerUid, learnerName));
    }
  }

  /** The job's input branches, one per modality; those whose topic is not read are skipped. */
  private static List<Branch<?>> branches(JobConfig config,
      UnaryOperator<DataStream<LearnerInput>> beforeLearner) {
    JobConfig.Topics topics = config.topics();
    return List.of(
        new Branch<>("images", topics.readsImages(), topics.images(),
            () -> new ImageRecordDecoder(config), () -> LearnerFunction.images(config),
            SOURCE_UID, DECODE_UID, LEARNER_UID, "learner: images", beforeLearner),
        new Branch<SentenceInput>("sentences", topics.readsSentences(), topics.sentences(),
            () -> new SentenceRecordDecoder(config), () -> LearnerFunction.sentences(config),
            SENTENCE_SOURCE_UID, SENTENCE_DECODE_UID, SENTENCE_LEARNER_UID,
            "learner: sentences", UnaryOperator.identity()),
        new Branch<PairInput>("pairs", topics.readsPairs(), topics.pairs(),
            () -> new PairRecordDecoder(config), () -> LearnerFunction.pairs(config),
            PAIR_SOURCE_UID, PAIR_DECODE_UID, PAIR_LEARNER_UID,
            "learner: image-text pairs (CLIP)", UnaryOperator.identity()));
  }

  /** One input topic, decoded; its dead letters are added to {@code outputs}. */
  private static <I extends KeyedInput> SingleOutputStreamOperator<I> decoded(
      StreamExecutionEnvironment env, JobConfig config, String topic,
      RecordDecoder<?, I> decoder, String modality, String sourceUid, String decodeUid,
      List<DataStream<KafkaOutput>> outputs) {
    SingleOutputStreamOperator<I> decoded = env
        .fromSource(source(config, topic), WatermarkStrategy.noWatermarks(), topic)
        .uid(sourceUid)
        .process(decoder)
        .uid(decodeUid)
        .name("decode + validate: " + modality);
    outputs.add(decoded.getSideOutput(RecordDecoder.DEAD_LETTERS));
    return decoded;
  }

  private static <I extends KeyedInput> DataStream<KafkaOutput> learn(DataStream<I> inputs,
      LearnerFunction<I, ?> learner, String uid, String name) {
    return inputs
        .keyBy((KeySelector<I, String>) in -> in.modelId, Types.STRING)
        .process(learner, TypeInformation.of(KafkaOutput.class))
        .uid(uid)
        .name(name);
  }

  static KafkaSource<KafkaInput> source(JobConfig config, String topic) {
    JobConfig.Kafka kafka = config.kafka();
    KafkaSourceBuilder<KafkaInput> source = KafkaSource.<KafkaInput>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setGroupId(kafka.groupId())
        .setTopics(topic)
        .setStartingOffsets(switch (kafka.startingOffsets()) {
          case EARLIEST -> OffsetsInitializer.earliest();
          case LATEST -> OffsetsInitializer.latest();
          case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
          case TIMESTAMP -> OffsetsInitializer.timestamp(
              JobConfig.Kafka.startingMillis(kafka.startingTimestamp()));
          case OFFSETS -> OffsetsInitializer.offsets(
              partitionOffsets(kafka.startingPartitionOffsets(), topic));
        })
        .setDeserializer(new KafkaInputDeserializer())
        .setProperties(clientProperties(kafka))
        // Inputs written in transactions count once they commit.
        .setProperty("isolation.level", "read_committed");
    // a bounded source ends its splits there; the end of input then flushes the learners
    // (LearnerFunction, end of input) and the job finishes
    switch (kafka.stoppingOffsets()) {
      case NONE -> { }
      case LATEST -> source.setBounded(OffsetsInitializer.latest());
      case TIMESTAMP -> source.setBounded(OffsetsInitializer.timestamp(
          JobConfig.Kafka.startingMillis(kafka.stoppingTimestamp())));
      case OFFSETS -> source.setBounded(OffsetsInitializer.offsets(
          partitionOffsets(kafka.stoppingPartitionOffsets(), topic)));
    }
    return source.build();
  }

  private static Map<TopicPartition, Long> partitionOffsets(Map<Integer, Long> byPartition,
      String topic) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    byPartition.forEach((partition, offset) ->
        offsets.put(new TopicPartition(topic, partition), offset));
    return offsets;
  }

  static KafkaSink<KafkaOutput> sink(JobConfig config) {
    JobConfig.Kafka kafka = config.kafka();
    Properties producer = clientProperties(kafka);
    producer.setProperty("transaction.timeout.ms",
        Long.toString(kafka.transactionTimeout().toMillis()));
    // A checkpoint record is small, but an embedding batch can be large; a dead letter is at most
    // limits.maxDeadLetterBytes, which validation keeps at or below this.
    producer.setProperty("max.request.size", Integer.toString(JobConfig.MAX_DEAD_LETTER_BYTES));
    return KafkaSink.<KafkaOutput>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(new KafkaOutputSerializer())
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        // Transactions of a restarted job are fenced by this prefix: one prefix per job, stable
        // across restarts, never shared by two jobs on the same Kafka cluster.
        .setTransactionalIdPrefix(transactionalIdPrefix(config))
        .build();
  }

  /**
   * The sink's transactional id prefix: {@code job.transactionalIdPrefix} if set, else the job's
   * name and 12 hex digits of a SHA-256 over what tells one deployment from another - the Kafka
   * cluster, the consumer group, the checkpoint directory and the output topics. A restart,
   * a restore or a new version of the jar keeps it (none of those change); two deployments that
   * share a name but differ in any of them no longer fence each other's transactions.
   */
  public static String transactionalIdPrefix(JobConfig config) {
    if (!config.job().transactionalIdPrefix().isEmpty()) {
      return config.job().transactionalIdPrefix();
    }
    String deployment = String.join("\n", config.kafka().bootstrapServers(),
        config.kafka().groupId(), config.job().checkpointDir().toString(),
        config.topics().embeddings(), config.topics().checkpoints(),
        config.topics().deadLetters());
    return config.job().name() + "-" + ModelPublisher.sha256(
        deployment.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
  }

  /**
   * A cluster start refuses checkpoints under /tmp (lost with the machine, and not where another
   * TaskManager or a new JobManager can read them) unless job.allowTemporaryCheckpointDir.
   */
  public static void requireDurableCheckpointDir(JobConfig config) {
    if (config.job().checkpointsAreTemporary() && !config.job().allowTemporaryCheckpointDir()) {
      throw new IllegalStateException("job.checkpointDir = " + config.job().checkpointDir()
          + " is under /tmp: a cluster job's state would be lost with the machine. Use a "
          + "durable shared directory (file:///var/lib/contraflow/checkpoints, s3://bucket/path) "
          + "or force it with --set job.allowTemporaryCheckpointDir=true");
    }
  }

  private static Properties clientProperties(JobConfig.Kafka kafka) {
    Properties p = new Properties();
    p.putAll(kafka.properties());
    return p;
  }

  /**
   * Fails fast, with the fix, when an input topic does not exist: the Kafka source would otherwise
   * fail the job at start-up, and again after every restart, with a metadata error.
   */
  public static void requireInputTopics(JobConfig config) throws InterruptedException {
    Set<String> existing;
    try (Admin client = admin(config)) {
      existing = client.listTopics().names().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list the topics of Kafka at "
          + config.kafka().bootstrapServers() + " (kafka.bootstrapServers): " + e.getMessage(), e);
    }
    List<String> missing = config.topics().inputs().stream()
        .filter(t -> !existing.contains(t)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException("input topic(s) " + missing + " do not exist on "
          + config.kafka().bootstrapServers() + ": create them (ops/README.md, Topics), or set "
          + "topics.images / topics.sentences / topics.pairs to \"\" for an input the job should "
          + "not read");
    }
  }

  /**
   * Fails fast, with the fix, when the dead-letter topic would refuse a dead letter of
   * {@code limits.maxDeadLetterBytes} ({@link DeadLetterTopic}).
   */
  public static void requireDeadLetterTopicAccepts(JobConfig config) throws InterruptedException {
    try (Admin client = admin(config)) {
      DeadLetterTopic.requireAccepts(client, config);
    }
  }

  private static Admin admin(JobConfig config) {
    Properties admin = clientProperties(config.kafka());
    admin.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        config.kafka().bootstrapServers());
    return Admin.create(admin);
  }

  /** Cluster entry point: {@code --config FILE [--set key=value]...}. */
  public static void main(String[] args) throws Exception {
    NativeMemory.configure(); // `flink run` passes no JVM flags to the client either
    NativeThreads.configure();
    JobConfig config = config(args);
    requireDurableCheckpointDir(config);
    requireInputTopics(config);
    requireDeadLetterTopicAccepts(config);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
    build(env, config);
    env.execute(config.job().name());
  }

  /**
   * The configuration {@code flink run} arguments name: {@code --config FILE} and {@code --set
   * key=value}, parsed by the same options as {@code contraflow learn}.
   *
   * @throws IllegalArgumentException for an argument those options do not know, with the usage
   */
  static JobConfig config(String... args) {
    JobConfigOptions options = new JobConfigOptions();
    CommandLine line = new CommandLine(options).setCommandName("flink run <jar>");
    try {
      line.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage() + "\n" + line.getUsageMessage(), e);
    }
    return options.load(List.of());
  }
}
