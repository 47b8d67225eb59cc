package dev.contraflow.serve;

import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.OutputCapture;
import dev.contraflow.TestKeystores;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.avro.SentenceRecord;
import dev.contraflow.cli.Contraflow;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.ContraflowJob;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.kafka.EmbeddedKafka;
import dev.contraflow.kafka.EmbeddedKafka.Listener;
import dev.contraflow.kafka.RecordProducer;
import dev.contraflow.kafka.TopicSnapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka clients the commands build from {@code kafka.properties.*} / {@code --kafka-property}
 * (issue 14), against a broker that needs credentials: SASL/PLAIN over SASL_PLAINTEXT, and TLS
 * whose certificate is made at test time. With the right settings they read and write as over
 * PLAINTEXT; with a wrong password they fail in one line that says so, instead of hanging.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredKafkaTest {

  private static final String USER = "contraflow";
  private static final String PASSWORD = "right-horse-battery";
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  private EmbeddedKafka kafka;
  private String trustedCertificate;
  @TempDir
  Path dir;

  @BeforeAll
  void startBroker(@TempDir Path brokerDir) throws Exception {
    Path keystore = brokerDir.resolve("broker.p12");
    TestKeystores.selfSigned(keystore, "broker-keystore-pw");
    trustedCertificate = TestKeystores.certificatePem(keystore, "broker-keystore-pw");
    kafka = EmbeddedKafka.startSecured(brokerDir,
        new EmbeddedKafka.Security(Map.of(USER, PASSWORD), keystore, "broker-keystore-pw"));
    kafka.createTopics(List.of("lines", "tls-lines", "embeddings", "scram-lines",
        "scram-embeddings"), 2);
  }

  @AfterAll
  void stopBroker() {
    kafka.close();
  }

  private static Map<String, String> sasl(String password) {
    return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"" + USER + "\" password=\"" + password + "\";");
  }

  /** SCRAM-SHA-512 over TLS: the broker's SASL_SSL listener, trusting its test-time certificate. */
  private Map<String, String> scram(String password) {
    Map<String, String> client = new HashMap<>(EmbeddedKafka.scramClient(USER, password));
    client.putAll(Map.of("ssl.truststore.type", "PEM",
        "ssl.truststore.certificates", trustedCertificate));
    return client;
  }

  private Map<String, String> tls() {
    return Map.of("security.protocol", "SSL", "ssl.truststore.type", "PEM",
        "ssl.truststore.certificates", trustedCertificate);
  }

  @Test
  void produceWritesOverSaslWithTheSettingsTheJobTakes() throws Exception {
    Path lines = Files.writeString(dir.resolve("lines.txt"), "a cat\na dog\na bird\n");
    List<String> args = new ArrayList<>(List.of("produce", "--sentences", lines.toString(),
        "--topic", "lines", "--bootstrap", kafka.bootstrapServers(Listener.SASL_PLAINTEXT)));
    sasl(PASSWORD).forEach((k, v) -> args.addAll(List.of("--set", "kafka.properties." + k + "="
        + v)));
    StringWriter err = new StringWriter();

    assertEquals(0, Contraflow.run(new PrintWriter(Writer.nullWriter()), new PrintWriter(err),
        args.toArray(String[]::new)), err.toString());
    List<SentenceRecord> read = TopicSnapshot.read(kafka.bootstrapServers(Listener.SASL_PLAINTEXT),
        "lines", RecordCodec.singleObject(SentenceRecord.class), sasl(PASSWORD), PATIENCE);
    assertEquals(3, read.size());
  }

  @Test
  void produceWritesOverTlsWithAPropertiesFileThatTrustsTheBrokersCertificate()
      throws Exception {
    Path lines = Files.writeString(dir.resolve("tls-lines.txt"), "one\ntwo\n");
    Properties client = new Properties();
    client.putAll(tls());
    Path properties = dir.resolve("client.properties");
    try (var out = Files.newBufferedWriter(properties)) {
      client.store(out, "as Kafka's own tools take it");
    }
    StringWriter err = new StringWriter();

    assertEquals(0, Contraflow.run(new PrintWriter(Writer.nullWriter()), new PrintWriter(err),
        "produce", "--sentences", lines.toString(), "--topic", "tls-lines",
        "--bootstrap", kafka.bootstrapServers(Listener.SSL),
        "--kafka-properties", properties.toString()), err.toString());
    assertEquals(2, TopicSnapshot.read(kafka.bootstrapServers(Listener.SSL), "tls-lines",
        RecordCodec.singleObject(SentenceRecord.class), tls(), PATIENCE).size());
  }

  @Test
  void aWrongPasswordFailsProduceInOneLineThatSaysAuthenticationFailed() throws Exception {
    Path lines = Files.writeString(dir.resolve("denied.txt"), "never written\n");
    List<String> args = new ArrayList<>(List.of("produce", "--sentences", lines.toString(),
        "--topic", "lines", "--bootstrap", kafka.bootstrapServers(Listener.SASL_PLAINTEXT)));
    sasl("wrong-password").forEach((k, v) -> args.addAll(List.of("--set",
        "kafka.properties." + k + "=" + v)));
    StringWriter err = new StringWriter();

    int exit = assertTimeoutPreemptively(PATIENCE, () -> Contraflow.run(
        new PrintWriter(Writer.nullWriter()), new PrintWriter(err), args.toArray(String[]::new)),
        "produce hung on wrong credentials");
    assertNotEquals(0, exit);
    assertTrue(err.toString().contains("Authentication failed"), err.toString());
    assertTrue(!err.toString().contains("wrong-password"), "the password was printed: " + err);
  }

  @Test
  void theJobsStartUpChecksConnectOverSaslAndNameAWrongPassword() throws Exception {
    ContraflowJob.requireInputTopics(job(sasl(PASSWORD)));

    IllegalStateException denied = assertThrows(IllegalStateException.class,
        () -> ContraflowJob.requireInputTopics(job(sasl("wrong-password"))));
    assertTrue(denied.getMessage().contains("Authentication failed"), denied.getMessage());
    assertTrue(!denied.getMessage().contains("wrong-password"), denied.getMessage());
  }

  @Test
  void serveReadsEmbeddingsOverTlsAndRefusesAWrongSaslPasswordInOneLine() throws Exception {
    RecordCodec<EmbeddingRecord> codec = RecordCodec.singleObject(EmbeddingRecord.class);
    try (RecordProducer producer = new RecordProducer(
        kafka.bootstrapServers(Listener.SASL_PLAINTEXT), sasl(PASSWORD))) {
      for (int i = 0; i < 4; i++) {
        EmbeddingRecord e = embedding("moco", "img-" + i, 3, 1, i);
        producer.send("embeddings", e.getId().getBytes(StandardCharsets.UTF_8), codec.encode(e));
      }
      producer.flush();
    }

    try (EmbeddingTable table = EmbeddingTable.start(serve(Listener.SSL, tls()), line -> { })) {
      ServeClient client = new ServeClient(table.port());
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (client.get("/models/moco/embeddings/img-3").status() != 200) {
        assertTrue(System.nanoTime() < deadline, "serve never read img-3 over TLS");
        Thread.sleep(200);
      }
      assertEquals(3, client.get("/models/moco/embeddings/img-3").ok().get("modelVersion")
          .asLong());
    }

    IllegalStateException denied = assertThrows(IllegalStateException.class,
        () -> EmbeddingTable.start(serve(Listener.SASL_PLAINTEXT, sasl("wrong-password")),
            line -> { }).close());
    assertTrue(denied.getMessage().contains("Authentication failed"), denied.getMessage());
    assertEquals(1, denied.getMessage().lines().count(), denied.getMessage());
  }

  @Test
  void produceAndServeWorkOverSaslSslWithScramAndTheSecretsStayOutOfTheirOutput()
      throws Exception {
    Path lines = Files.writeString(dir.resolve("scram-lines.txt"), "red\ngreen\nblue\n");
    List<String> args = new ArrayList<>(List.of("produce", "--sentences", lines.toString(),
        "--topic", "scram-lines", "--bootstrap", kafka.bootstrapServers(Listener.SASL_SSL)));
    scram(PASSWORD).forEach((k, v) -> args.addAll(List.of("--set", "kafka.properties." + k + "="
        + v)));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    assertEquals(0, Contraflow.run(new PrintWriter(out), new PrintWriter(err),
        args.toArray(String[]::new)), err.toString());
    assertEquals(3, TopicSnapshot.read(kafka.bootstrapServers(Listener.SASL_SSL), "scram-lines",
        RecordCodec.singleObject(SentenceRecord.class), scram(PASSWORD), PATIENCE).size());
    assertTrue(!(out + err.toString()).contains(PASSWORD), "the password was printed: " + err);

    RecordCodec<EmbeddingRecord> codec = RecordCodec.singleObject(EmbeddingRecord.class);
    try (RecordProducer producer = new RecordProducer(kafka.bootstrapServers(Listener.SASL_SSL),
        scram(PASSWORD))) {
      EmbeddingRecord e = embedding("simclr", "img-7", 2, 1, 7);
      producer.send("scram-embeddings", e.getId().getBytes(StandardCharsets.UTF_8),
          codec.encode(e));
      producer.flush();
    }
    List<String> logged = new ArrayList<>();
    try (EmbeddingTable table = EmbeddingTable.start(serve(Listener.SASL_SSL, scram(PASSWORD),
        "scram-embeddings"), logged::add)) {
      ServeClient client = new ServeClient(table.port());
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (client.get("/models/simclr/embeddings/img-7").status() != 200) {
        assertTrue(System.nanoTime() < deadline, "serve never read img-7 over SASL_SSL");
        Thread.sleep(200);
      }
    }
    assertTrue(logged.stream().noneMatch(line -> line.contains(PASSWORD)), logged.toString());
  }

  @Test
  void aWrongScramPasswordFailsProduceAndTheJobsChecksInOneLineWithoutHanging()
      throws Exception {
    Path lines = Files.writeString(dir.resolve("scram-denied.txt"), "never written\n");
    List<String> args = new ArrayList<>(List.of("produce", "--sentences", lines.toString(),
        "--topic", "scram-lines", "--bootstrap", kafka.bootstrapServers(Listener.SASL_SSL)));
    scram("wrong-password").forEach((k, v) -> args.addAll(List.of("--set",
        "kafka.properties." + k + "=" + v)));
    StringWriter err = new StringWriter();

    int exit = assertTimeoutPreemptively(PATIENCE, () -> Contraflow.run(
        new PrintWriter(Writer.nullWriter()), new PrintWriter(err), args.toArray(String[]::new)),
        "produce hung on wrong SCRAM credentials");
    assertNotEquals(0, exit);
    assertTrue(err.toString().contains("Authentication failed"), err.toString());
    assertTrue(!err.toString().contains("wrong-password"), "the password was printed: " + err);

    ContraflowJob.requireInputTopics(job(Listener.SASL_SSL, scram(PASSWORD)));
    IllegalStateException denied = assertTimeoutPreemptively(PATIENCE, () -> assertThrows(
        IllegalStateException.class, () -> ContraflowJob.requireInputTopics(
            job(Listener.SASL_SSL, scram("wrong-password")))));
    assertTrue(denied.getMessage().contains("Authentication failed"), denied.getMessage());
    assertEquals(1, denied.getMessage().lines().count(), denied.getMessage());
    assertTrue(!denied.getMessage().contains("wrong-password"), denied.getMessage());
  }

  @Test
  void noSecretReachesTheOutputOrTheLogsOfASecuredRunOrOfPrintDefaults() throws Exception {
    String registrySecret = "registry-secret-77";
    int deadPort;
    try (var s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort(); // closed again: the registry cannot be reached
    }
    Path lines = Files.writeString(dir.resolve("registry-lines.txt"), "one line\n");
    List<String> args = new ArrayList<>(List.of("produce", "--sentences", lines.toString(),
        "--topic", "scram-lines", "--bootstrap", kafka.bootstrapServers(Listener.SASL_SSL),
        "--set", "records.wireFormat=CONFLUENT", "--set", "records.schemaRegistryUrl="
            + "http://registry-user:" + registrySecret + "@127.0.0.1:" + deadPort));
    scram(PASSWORD).forEach((k, v) -> args.addAll(List.of("--set", "kafka.properties." + k + "="
        + v)));
    StringWriter err = new StringWriter();
    String printed;
    // INFO: the Kafka clients log every setting they were given at start-up
    try (OutputCapture output = OutputCapture.start(org.apache.logging.log4j.Level.INFO)) {
      int exit = Contraflow.run(new PrintWriter(System.out, true), new PrintWriter(err, true),
          args.toArray(String[]::new));
      assertNotEquals(0, exit, "the registry is unreachable");
      Contraflow.run(new PrintWriter(System.out, true), new PrintWriter(err, true), "learn",
          "--print-defaults", "--set", "records.schemaRegistryUrl=http://registry-user:"
              + registrySecret + "@127.0.0.1:1", "--set", "kafka.properties.sasl.jaas.config="
              + scram(PASSWORD).get("sasl.jaas.config"));
      printed = output.text() + err;
    }

    for (String secret : List.of(PASSWORD, registrySecret)) {
      assertTrue(!printed.contains(secret), secret + " was printed or logged:\n" + printed);
    }
    assertTrue(printed.contains("registry http://127.0.0.1:" + deadPort), printed);
    assertTrue(printed.contains("ProducerConfig values"), "the capture saw the client's log");
  }

  private ServeConfig serve(Listener listener, Map<String, String> client, String topic) {
    return new ServeConfig(kafka.bootstrapServers(listener), topic, 0, "127.0.0.1",
        dir.resolve("serve-" + listener + "-" + topic), "secured-" + listener + "-" + topic,
        Duration.ofDays(1), null, client, 0, HttpOptions.defaults());
  }

  private ServeConfig serve(Listener listener, Map<String, String> client) {
    return new ServeConfig(kafka.bootstrapServers(listener), "embeddings", 0, "127.0.0.1",
        dir.resolve("serve-" + listener), "secured-" + listener, Duration.ofDays(1), null,
        client, 0, HttpOptions.defaults());
  }

  private JobConfig job(Map<String, String> client) {
    return job(Listener.SASL_PLAINTEXT, client);
  }

  private JobConfig job(Listener listener, Map<String, String> client) {
    List<String> settings = new ArrayList<>(List.of(
        "kafka.bootstrapServers=" + kafka.bootstrapServers(listener),
        "topics.images=lines", "topics.sentences=", "topics.pairs="));
    client.forEach((k, v) -> settings.add("kafka.properties." + k + "=" + v));
    return JobConfigLoader.defaults(settings);
  }
}
