package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.record.FakeSchemaRegistry;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.TopicReader;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.LearnerStateCodec;
import dev.contraflow.learn.ModelFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class StreamingJobEndToEndTest {

  @TempDir
  static Path dir;
  static StreamingStack stack;

  @BeforeAll
  static void startBroker() throws Exception {
    stack = StreamingStack.start(dir);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    stack.close();
  }

  @Test
  void everyProducedImageGetsOneCommittedEmbedding() throws Exception {
    JobConfig config = stack.config("e2e", "publish.everySteps=5");
    List<Image> images = StreamingStack.images(100); // 12 full batches of 8, then 4 by timeout
    stack.produce(config, images, null);
    TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
    TopicReader<CheckpointRecord> checkpoints = stack.checkpoints(config);

    JobClient job = stack.run(config);
    try {
      await(() -> embeddings.count() >= images.size(), Duration.ofSeconds(120),
          () -> embeddings.count() + " of " + images.size() + " embeddings");
      await(() -> checkpoints.count() >= 2, Duration.ofSeconds(30),
          () -> checkpoints.count() + " checkpoint records");
    } finally {
      job.cancel().get();
    }

    Map<String, EmbeddingRecord> byId = embeddings.records().stream()
        .collect(Collectors.toMap(e -> e.getId(), Function.identity()));
    assertEquals(images.size(), embeddings.count(), "one embedding per input, no duplicates");
    assertEquals(images.stream().map(Image::id).collect(Collectors.toSet()), byId.keySet());
    EmbeddingRecord first = byId.get("0");
    assertEquals("default", first.getModelId());
    assertEquals(0, first.getModelVersion(), "the first batch is embedded before step 1");
    assertEquals(0, first.getSourceOffset());
    assertEquals(config.topics().images(), first.getSourceTopic());
    assertEquals(first.getDim(), first.getVector().size());
    double norm = Math.sqrt(first.getVector().stream().mapToDouble(v -> v * v).sum());
    assertEquals(1.0, norm, 1e-4, "embeddings are L2-normalised");
    assertEquals(12, byId.get("99").getModelVersion(),
        "the timed-out remainder is embedded by step 12, before its own update");
    assertEquals(Set.copyOf(List.of(99L)), Set.of(byId.get("99").getSourceOffset()));

    CheckpointRecord c = checkpoints.records().get(0);
    assertEquals(5, c.getModelVersion());
    Path file = Path.of(URI.create(c.getUri()));
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(c.getSha256(), HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(bytes)), "published digest matches the file");
    assertEquals(5, ModelFile.fromBytes(bytes).state().step());
    assertTrue(c.getMetrics().containsKey("loss"));
    assertEquals(13L, CapturingMetricReporter.value("e2e", ".model.default.step").orElseThrow(),
        "the model version is a Flink metric");
    for (String gauge : List.of("loss", "alignment", "uniformity", "embeddingStd",
        "queueMeanAge")) {
      double v = ((Number) CapturingMetricReporter.value("e2e", ".model.default." + gauge)
          .orElseThrow(() -> new AssertionError("no metric " + gauge))).doubleValue();
      assertTrue(Double.isFinite(v), gauge + " = " + v);
    }
    assertEquals(20, ((Number) CapturingMetricReporter.value("e2e", ".model.default.queueFill")
        .orElseThrow()).intValue(), "the tiny learner's queue (K = 20) is full");
    ComputationGraph keyEncoder = ComputationGraph.load(
        Path.of(URI.create(c.getDl4jUri())).toFile(), false);
    assertEquals(ModelFile.fromBytes(bytes).state().network(LearnerState.MOMENTUM).params().length,
        keyEncoder.numParams(), "the DL4J file holds the key encoder");
  }

  @Test
  void badRecordsBecomeDeadLettersWithReasonsAndTheJobKeepsLearning() throws Exception {
    // REFUSE: an RGB image into this grey model is a dead letter rather than converted
    JobConfig config = stack.config("bad-input", "limits.maxRecordBytes=65536",
        "job.batchTimeout=500ms", "model.channelConversion=REFUSE");
    Map<String, byte[]> bad = BadInput.values();
    List<Image> images = StreamingStack.images(24);
    stack.produce(config, images.subList(0, 12), null);
    for (var e : bad.entrySet()) {
      stack.produceBytes(config, e.getKey(), e.getValue());
    }
    stack.produce(config, images.subList(12, 24), null);
    TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
    TopicReader<DeadLetterRecord> deadLetters = stack.deadLetters(config);

    JobClient job = stack.run(config);
    int in = images.size() + bad.size();
    try {
      await(() -> embeddings.count() + deadLetters.count() >= in, Duration.ofSeconds(120),
          () -> embeddings.count() + " embeddings + " + deadLetters.count() + " dead letters of "
              + in + " records");
    } finally {
      job.cancel().get();
    }

    assertEquals(images.size(), embeddings.count(), "every good image is embedded");
    assertEquals(bad.size(), deadLetters.count(), "every bad record is a dead letter");
    for (DeadLetterRecord d : deadLetters.records()) {
      String name = new String(d.getKey().array(), StandardCharsets.UTF_8);
      byte[] original = new byte[d.getValue() == null ? 0 : d.getValue().remaining()];
      if (d.getValue() != null) {
        d.getValue().duplicate().get(original);
      }
      byte[] sent = bad.get(name);
      assertEquals(d.getValue() == null ? null : (Integer) sent.length, d.getValueSize(),
          name + ": its original length");
      assertArrayEquals(d.getTruncated() ? Arrays.copyOf(sent, original.length) : sent, original,
          name + ": the original bytes travel along, cut to limits.maxDeadLetterBytes");
      assertEquals(config.topics().images(), d.getSourceTopic());
      assertTrue(d.getOffset() >= 12 && d.getOffset() < 12 + bad.size(), name + " offset");
      assertFalse(d.getReason().isBlank(), name + " has a reason");
    }
    assertEquals((long) bad.size(), CapturingMetricReporter.value("bad-input",
        "validate: images.0.deadLetters").orElseThrow(),
        "dead letters are counted in Flink's metrics");
  }

  @Test
  void confluentWireFormatWorksWithASchemaRegistry() throws Exception {
    try (FakeSchemaRegistry registry = new FakeSchemaRegistry()) {
      JobConfig config = stack.config("confluent", "records.wireFormat=CONFLUENT",
          "records.schemaRegistryUrl=" + registry.uri(), "job.batchTimeout=300ms");
      List<Image> images = StreamingStack.images(10);
      stack.produce(config, images, null);
      TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
      JobClient job = stack.run(config);
      try {
        await(() -> embeddings.count() >= images.size(), Duration.ofSeconds(120),
            () -> embeddings.count() + " of " + images.size() + " embeddings");
      } finally {
        job.cancel().get();
      }
      assertEquals(images.size(), embeddings.count());
      assertTrue(embeddings.undecodable().isEmpty(), embeddings.undecodable().toString());
    }
  }

  @Test
  void replayFromGivenOffsetsReTrainsTheSameModel() throws Exception {
    JobConfig config = stack.config("replay", "kafka.startingOffsets=OFFSETS",
        "kafka.startingPartitionOffsets={0: 16}", "publish.everySteps=1", "job.batchTimeout=1h");
    List<Image> images = StreamingStack.images(40);
    stack.produce(config, images, null);
    TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
    JobClient job = stack.run(config);
    Path model = Path.of(config.publish().modelStore()).resolve("default/default-v3.cfm");
    try {
      await(() -> embeddings.count() >= 24 && model.toFile().exists(), Duration.ofSeconds(120),
          () -> embeddings.count() + " of 24 embeddings");
    } finally {
      job.cancel().get();
    }
    assertEquals(24, embeddings.count(), "offsets 16..39 only");
    assertEquals(16, embeddings.records().stream().mapToLong(e -> e.getSourceOffset()).min()
        .orElseThrow());
    assertArrayEquals(LearnerStateCodec.toBytes(StreamingStack.uninterruptedRun(config,
        images.subList(16, 40))), LearnerStateCodec.toBytes(ModelFile.read(model).state()),
        "the same range and seed give the same model");
  }
}
