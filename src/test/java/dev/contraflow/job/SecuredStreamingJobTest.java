package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.OutputCapture;
import dev.contraflow.TestKeystores;
import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.cli.Contraflow;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.record.ImageRecords;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.EmbeddedKafka;
import dev.contraflow.kafka.EmbeddedKafka.Listener;
import dev.contraflow.kafka.RecordProducer;
import dev.contraflow.kafka.TopicReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job and the commands that read its topics, against a broker that only lets them
 * in over SASL_SSL with SCRAM-SHA-512 (issue 14): the credentials and the TLS trust reach the
 * Flink KafkaSource and KafkaSink as {@code kafka.properties.*}, reach {@code backfill} as
 * {@code --set}, and {@code eval --images-topic} as {@code --kafka-property}; none of them prints
 * the password.
 */
@Tag("slow")
class SecuredStreamingJobTest {

  private static final String USER = "flink-job";
  private static final String PASSWORD = "scram-only-secret-42";
  private static final int IMAGES = 60; // eval holds out 20%: at least 10 queries

  @TempDir
  static Path dir;
  static StreamingStack stack;

  @BeforeAll
  static void startBroker() throws Exception {
    Path keystore = dir.resolve("broker.p12");
    TestKeystores.selfSigned(keystore, "broker-keystore-pw");
    Map<String, String> client = new HashMap<>(EmbeddedKafka.scramClient(USER, PASSWORD));
    client.putAll(Map.of("ssl.truststore.type", "PEM", "ssl.truststore.certificates",
        TestKeystores.certificatePem(keystore, "broker-keystore-pw")));
    stack = StreamingStack.startSecured(dir,
        new EmbeddedKafka.Security(Map.of(USER, PASSWORD), keystore, "broker-keystore-pw"),
        Listener.SASL_SSL, client);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    stack.close();
  }

  @Test
  void theJobBackfillAndEvalAllWorkOverSaslSslWithScram() throws Exception {
    JobConfig config = stack.config("scram", "publish.everySteps=2");
    produceLabelled(config);
    TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
    TopicReader<CheckpointRecord> checkpoints = stack.checkpoints(config);

    JobClient job = stack.run(config);
    try {
      await(() -> embeddings.count() >= IMAGES && checkpoints.count() >= 1,
          Duration.ofSeconds(120), () -> embeddings.count() + " of " + IMAGES + " embeddings, "
              + checkpoints.count() + " checkpoint records over SASL_SSL");
    } finally {
      job.cancel().get();
    }
    assertEquals(IMAGES, embeddings.count(), "one embedding per input, read over SASL_SSL");
    String checkpoint = checkpoints.records().get(0).getUri();

    List<String> backfill = new ArrayList<>(List.of("backfill", "--checkpoint", checkpoint));
    stack.settings("scram", "publish.everySteps=2").forEach(s -> backfill.addAll(
        List.of("--set", s)));
    List<String> eval = new ArrayList<>(List.of("eval", "--images-topic",
        config.topics().images(), "--bootstrap", stack.bootstrap, "--checkpoint", checkpoint,
        "--out", dir.resolve("report").toString()));
    stack.client.forEach((k, v) -> eval.addAll(List.of("--kafka-property", k + "=" + v)));
    StringWriter err = new StringWriter();
    String printed;
    try (OutputCapture output = OutputCapture.start(null)) {
      // System.out is the capture's now: the commands print there and to picocli's writer
      assertEquals(0, Contraflow.run(new PrintWriter(System.out, true),
          new PrintWriter(err, true), backfill.toArray(String[]::new)), err.toString());
      await(() -> embeddings.count() >= 2 * IMAGES, Duration.ofSeconds(30),
          () -> embeddings.count() + " embeddings after the backfill");
      assertEquals(0, Contraflow.run(new PrintWriter(System.out, true),
          new PrintWriter(err, true), eval.toArray(String[]::new)), err.toString());
      printed = output.text() + err;
    }

    assertTrue(printed.contains(IMAGES + " records read, " + IMAGES + " embedded"), printed);
    assertTrue(printed.contains("queries against a bank of " + (IMAGES * 4 / 5)), printed);
    assertTrue(!printed.contains(PASSWORD), "the password was printed: " + printed);
  }

  /** Fashion-MNIST images with their labels as the "label" attribute eval reads. */
  private static void produceLabelled(JobConfig config) throws Exception {
    List<Image> images = StreamingStack.images(IMAGES);
    int[] labels = IdxReader.readLabels(Path.of(StreamingStack.class.getResource(
        "/fashion-mnist-subset/train-labels-idx1-ubyte.gz").toURI()));
    RecordCodec<ImageRecord> codec = new RecordCodecs(config.records())
        .forTopic(ImageRecord.class, config.topics().images());
    try (RecordProducer p = new RecordProducer(stack.bootstrap, stack.client)) {
      for (Image image : images) {
        ImageRecord r = ImageRecords.raw(image, null, "fashion-mnist", Instant.EPOCH);
        r.setAttributes(Map.of("label", Integer.toString(labels[Integer.parseInt(image.id())])));
        p.send(config.topics().images(), image.id().getBytes(StandardCharsets.UTF_8),
            codec.encode(r));
      }
      p.flush();
    }
  }
}
