package dev.contraflow.ops;

import static dev.contraflow.ops.OpsTestData.SIDE;
import static dev.contraflow.ops.OpsTestData.barImage;
import static dev.contraflow.ops.OpsTestData.bytes;
import static dev.contraflow.ops.OpsTestData.deleteRecursively;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.Modality;
import dev.contraflow.avro.SentenceRecord;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.jar.JarFile;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job as users deploy it: ops/kafka-broker.sh starts a KRaft broker and ops/flink-cluster.sh
 * a standalone Flink session cluster (JobManager and TaskManager in their own JVMs); the shaded
 * jar goes in through Flink's REST API (/jars/upload, /jars/:jarid/run), and every image produced
 * to the images topic must come back as exactly one embedding to a read_committed consumer.
 *
 * <p>Run by maven-failsafe-plugin in {@code mvn verify}, after the shaded jar is packaged. Skips
 * itself while the jar or its job class ({@value #ENTRY_CLASS}) is missing.
 */
class ClusterSubmissionIT {

  private static final String ENTRY_CLASS = "dev.contraflow.job.ContraflowJob";
  private static final int IMAGES = 300;

  private static final String IMAGES_TOPIC = "images";
  private static final String SENTENCES_TOPIC = "sentences";
  private static final String PAIRS_TOPIC = "pairs";
  private static final int SENTENCES = 40;
  private static final String EMBEDDINGS_TOPIC = "embeddings";
  private static final String CHECKPOINTS_TOPIC = "checkpoints";
  private static final String DEAD_LETTERS_TOPIC = "dead-letters";
  /** Model checkpoints grow past Kafka's 1 MB default (DESIGN.md, pitfalls). */
  private static final String EIGHT_MIB = String.valueOf(8 * 1024 * 1024);

  /** Nothing in this test should make the job fail; a job that fails this often will not recover. */
  private static final int MAX_JOB_FAILURES = 3;
  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration EMBEDDINGS_TIMEOUT = Duration.ofMinutes(10);

  private static final Path ROOT = Path.of(System.getProperty("contraflow.root", ".")).toAbsolutePath();
  private static final Path JOB_JAR = Path.of(System.getProperty("contraflow.jar",
      ROOT.resolve("target/contraflow.jar").toString())).toAbsolutePath();
  private static final Path RUN_DIR = Path.of(System.getProperty("contraflow.it.dir",
      ROOT.resolve("target/ops-it").toString())).toAbsolutePath();

  private static String skipReason;
  private static OpsScripts ops;
  private static FlinkRestClient flink;
  private static boolean kafkaStarted;
  private static boolean flinkStarted;
  private static String jobId;
  private static Thread stopOnExit;

  @BeforeAll
  static void startBrokerAndCluster() throws Exception {
    skipReason = skipReason();
    if (skipReason != null) {
      // Reported by the test itself: an assumption failing here would hide the test and reason.
      System.out.println("ClusterSubmissionIT skipped: " + skipReason);
      return;
    }

    // A fresh broker and no jars left over from earlier runs; resolved classpaths are kept.
    deleteRecursively(RUN_DIR.resolve("kafka/data"));
    deleteRecursively(RUN_DIR.resolve("flink/upload"));
    ops = new OpsScripts(ROOT, RUN_DIR);
    // A killed test JVM still takes the cluster down with it.
    stopOnExit = new Thread(ClusterSubmissionIT::stopEverything, "stop-ops-cluster");
    Runtime.getRuntime().addShutdownHook(stopOnExit);

    kafkaStarted = true;
    ops.run("kafka-broker.sh", "start", SCRIPT_TIMEOUT);
    flinkStarted = true;
    ops.run("flink-cluster.sh", "start", SCRIPT_TIMEOUT);
    flink = new FlinkRestClient(URI.create(ops.flinkRestUrl()));
  }

  @AfterAll
  static void stopBrokerAndCluster() {
    stopEverything();
    if (stopOnExit != null) {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    }
  }

  @Test
  void submittedJobEmbedsEveryImageAndSentenceExactlyOnce() throws Exception {
    Assumptions.assumeTrue(skipReason == null, skipReason);
    createTopics();
    Set<String> ids = produceImages();
    Set<String> sentenceIds = produceSentences();
    ids.addAll(sentenceIds);

    String jarId = flink.upload(JOB_JAR);
    jobId = flink.run(jarId, ENTRY_CLASS, programArgs(writeJobConfig()));

    Map<String, List<EmbeddingRecord>> embeddings = awaitEmbeddings(ids);

    List<String> duplicated = embeddings.entrySet().stream()
        .filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).toList();
    assertTrue(duplicated.isEmpty(), "more than one embedding for " + duplicated);
    assertEquals(ids, embeddings.keySet(), "embedded ids differ from produced ids");
    for (List<EmbeddingRecord> forId : embeddings.values()) {
      EmbeddingRecord e = forId.get(0);
      boolean sentence = sentenceIds.contains(e.getId());
      assertEquals(sentence ? SENTENCES_TOPIC : IMAGES_TOPIC, e.getSourceTopic(),
          "source topic of " + e.getId());
      assertEquals(sentence ? Modality.TEXT : Modality.IMAGE, e.getModality(), e.getId());
      assertTrue(e.getDim() > 0 && e.getVector().size() == e.getDim(),
          "vector of " + e.getId() + " has " + e.getVector().size() + " floats, dim " + e.getDim());
    }
  }

  // ---- the steps

  private static void createTopics() throws Exception {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ops.bootstrapServers()))) {
      admin.createTopics(List.of(
          new NewTopic(IMAGES_TOPIC, 2, (short) 1),
          new NewTopic(SENTENCES_TOPIC, 1, (short) 1),
          new NewTopic(PAIRS_TOPIC, 1, (short) 1), // read, left empty: the CLIP branch idles
          new NewTopic(EMBEDDINGS_TOPIC, 2, (short) 1),
          new NewTopic(CHECKPOINTS_TOPIC, 1, (short) 1).configs(Map.of("max.message.bytes", EIGHT_MIB)),
          new NewTopic(DEAD_LETTERS_TOPIC, 1, (short) 1))).all().get();
    }
  }

  private static Properties producerProperties() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ops.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  /** 28x28 grey RAW images, each a bright bar at its own row and column; returns their ids. */
  private static Set<String> produceImages() throws Exception {
    Set<String> ids = new TreeSet<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
      for (int i = 0; i < IMAGES; i++) {
        String id = String.format("image-%03d", i);
        ImageRecord image = ImageRecord.newBuilder()
            .setId(id)
            .setEncoding(ImageEncoding.RAW)
            .setBytes(ByteBuffer.wrap(barImage(i % SIDE, (i / SIDE) % SIDE)))
            .setWidth(SIDE).setHeight(SIDE).setChannels(1)
            .setSource("ClusterSubmissionIT")
            .setEventTime(Instant.now())
            .build();
        // Avro single-object encoding, the wire format of every contraflow topic.
        producer.send(new ProducerRecord<>(IMAGES_TOPIC, id.getBytes(StandardCharsets.UTF_8),
            bytes(image.toByteBuffer()))).get();
        ids.add(id);
      }
    }
    return ids;
  }

  /** Short English sentences, single-object encoded SentenceRecords; returns their ids. */
  private static Set<String> produceSentences() throws Exception {
    String[] things = {"harbour", "lamp", "forest", "market", "clock", "bridge", "river", "bread"};
    Set<String> ids = new TreeSet<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
      for (int i = 0; i < SENTENCES; i++) {
        String id = String.format("sentence-%03d", i);
        SentenceRecord sentence = SentenceRecord.newBuilder()
            .setId(id)
            .setText("the " + things[i % things.length] + " by the "
                + things[(i / things.length) % things.length] + " was quiet")
            .setEventTime(Instant.now())
            .build();
        producer.send(new ProducerRecord<>(SENTENCES_TOPIC, id.getBytes(StandardCharsets.UTF_8),
            bytes(sentence.toByteBuffer()))).get();
        ids.add(id);
      }
    }
    return ids;
  }

  /** The job's YAML configuration; run-specific values go in as --set overrides. */
  private static Path writeJobConfig() throws IOException {
    Path config = RUN_DIR.resolve("job.yaml");
    Files.writeString(config, String.join("\n",
        "kafka:",
        "  bootstrapServers: 127.0.0.1:9092",
        "  groupId: contraflow-it",
        "topics:",
        "  images: " + IMAGES_TOPIC,
        "  sentences: " + SENTENCES_TOPIC,
        "  pairs: " + PAIRS_TOPIC,
        "  embeddings: " + EMBEDDINGS_TOPIC,
        "  checkpoints: " + CHECKPOINTS_TOPIC,
        "  deadLetters: " + DEAD_LETTERS_TOPIC,
        "job:",
        "  parallelism: 1",
        "  checkpointInterval: 5s",
        "learner:",
        "  encoder:",
        "    kind: MLP",
        "  batchSize: 32",
        "sentenceLearner:",
        "  batchSize: 16",
        ""));
    return config;
  }

  private static List<String> programArgs(Path config) {
    return List.of(
        "--config", config.toString(),
        "--set", "kafka.bootstrapServers=" + ops.bootstrapServers(),
        "--set", "job.checkpointDir=" + RUN_DIR.resolve("checkpoints").toUri(),
        // a throwaway cluster: its state may live wherever the checkout is, /tmp included
        "--set", "job.allowTemporaryCheckpointDir=true",
        "--set", "publish.modelStore=" + RUN_DIR.resolve("models").toUri());
  }

  /**
   * Reads the embeddings topic as a read_committed consumer until every id has arrived, then
   * until a poll finds nothing more; fails early when the job fails.
   */
  private static Map<String, List<EmbeddingRecord>> awaitEmbeddings(Set<String> ids) throws Exception {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ops.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "embeddings-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

    Map<String, List<EmbeddingRecord>> byId = new TreeMap<>();
    Instant deadline = Instant.now().plus(EMBEDDINGS_TIMEOUT);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(EMBEDDINGS_TOPIC));
      boolean complete = false;
      while (true) {
        int polled = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(2))) {
          EmbeddingRecord e = EmbeddingRecord.fromByteBuffer(ByteBuffer.wrap(record.value()));
          byId.computeIfAbsent(e.getId(), k -> new ArrayList<>()).add(e);
          polled++;
        }
        if (complete && polled == 0) {
          return byId;
        }
        complete = byId.keySet().containsAll(ids);
        if (!complete) {
          failIfJobStopped(byId.size(), ids.size());
          if (Instant.now().isAfter(deadline)) {
            fail(byId.size() + " of " + ids.size() + " embeddings within " + EMBEDDINGS_TIMEOUT
                + "; job " + jobId + " is " + flink.state(jobId) + lastFailure()
                + "\nlogs: " + RUN_DIR.resolve("flink/log"));
          }
        }
      }
    }
  }

  /** Fails at once when the job has stopped, or keeps failing and restarting. */
  private static void failIfJobStopped(int received, int expected) throws Exception {
    String state = flink.state(jobId);
    int failures = flink.failures(jobId);
    if (Set.of("FAILED", "CANCELED", "FINISHED", "SUSPENDED").contains(state)
        || failures >= MAX_JOB_FAILURES) {
      fail("job " + jobId + " is " + state + " after " + failures + " failures and " + received
          + " of " + expected + " embeddings" + lastFailure()
          + "\nlogs: " + RUN_DIR.resolve("flink/log"));
    }
  }

  private static String lastFailure() {
    try {
      String trace = flink.rootException(jobId);
      return trace.isEmpty() ? "" : "; last failure:\n" + trace;
    } catch (Exception e) {
      return "; its exceptions could not be read: " + e;
    }
  }

  // ---- lifecycle helpers

  private static synchronized void stopEverything() {
    if (jobId != null) {
      try {
        flink.cancel(jobId);
      } catch (Exception e) {
        System.err.println("could not cancel job " + jobId + ": " + e);
      }
      jobId = null;
    }
    if (flinkStarted) {
      stopQuietly("flink-cluster.sh");
      flinkStarted = false;
    }
    if (kafkaStarted) {
      stopQuietly("kafka-broker.sh");
      kafkaStarted = false;
    }
  }

  private static void stopQuietly(String script) {
    try {
      ops.run(script, "stop", Duration.ofMinutes(2));
    } catch (RuntimeException e) {
      System.err.println("ops/" + script + " stop failed: " + e.getMessage());
    }
  }

  /** Why this test cannot run yet, or null when the job jar is there with its job class. */
  private static String skipReason() throws IOException {
    if (!Files.isRegularFile(JOB_JAR)) {
      return "no job jar at " + JOB_JAR + " (mvn package builds target/contraflow.jar)";
    }
    if (!containsClass(JOB_JAR, ENTRY_CLASS)) {
      return JOB_JAR + " has no " + ENTRY_CLASS + " yet: the streaming job is not in this build";
    }
    return null;
  }

  private static boolean containsClass(Path jar, String className) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.getEntry(className.replace('.', '/') + ".class") != null;
    }
  }
}
