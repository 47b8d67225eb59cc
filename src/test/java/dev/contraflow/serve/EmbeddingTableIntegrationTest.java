package dev.contraflow.serve;

import static dev.contraflow.serve.ServeClient.ids;
import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.kafka.EmbeddedKafka;
import dev.contraflow.serve.ServeClient.Reply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * `contraflow serve` against a real broker (in-process KRaft): embeddings produced by a plain
 * KafkaProducer, keyed by id as the job writes them, come back over HTTP.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingTableIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final RecordCodec<EmbeddingRecord> CODEC =
      RecordCodec.singleObject(EmbeddingRecord.class);

  private Path dir;
  private EmbeddedKafka kafka;

  @BeforeAll
  void startBroker(@TempDir Path dir) throws Exception {
    this.dir = dir;
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
  }

  @AfterAll
  void stopBroker() {
    kafka.close();
  }

  @Test
  void producedEmbeddingsComeBackOverHttp() throws Exception {
    String topic = "single.embeddings";
    kafka.createTopics(List.of(topic), 2);
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int i = 0; i < 6; i++) {
        send(producer, topic, embedding("moco", "img-" + i, 2, 1, i, 0));
      }
      send(producer, topic, embedding("moco", "img-0", 1, 0, 0, 1)); // late backfill, older model
      producer.send(new ProducerRecord<>(topic, "junk".getBytes(StandardCharsets.UTF_8)));
    }

    try (EmbeddingTable table = EmbeddingTable.start(config(topic, "single", "a"), log("a"))) {
      ServeClient client = new ServeClient(table.port());
      await(() -> client.get("/metrics").body().path("recordsRead").asLong() == 8, PATIENCE,
          () -> "the table never read all 8 records: " + metrics(client));

      JsonNode img0 = client.get("/models/moco/embeddings/img-0").ok();
      assertEquals(2, img0.get("modelVersion").asLong(), "the backfill of version 1 lost");
      JsonNode found = client.send("POST", "/models/moco/search", "{\"id\": \"img-1\", \"k\": 2}")
          .ok();
      assertEquals(List.of("img-2", "img-3"), ids(found));
      JsonNode metrics = client.get("/metrics").ok();
      assertEquals(1, metrics.get("undecodable").asLong());
      assertEquals(1, metrics.get("superseded").asLong());
      JsonNode self = client.get("/instances").ok().at("/instances/0");
      assertEquals("127.0.0.1:" + table.port(), self.get("address").asText());
      assertEquals(List.of(0, 1), partitions(self));
    }
  }

  @Test
  void twoInstancesEachServeTheirPartitionsAndPointToTheOther() throws Exception {
    String topic = "shared.embeddings";
    kafka.createTopics(List.of(topic), 2);
    List<String> ids = List.of("x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7");
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (String id : ids) {
        send(producer, topic, embedding("moco", id, 5, 1, 0));
      }
    }

    try (EmbeddingTable a = EmbeddingTable.start(config(topic, "shared", "a"), log("a"));
        EmbeddingTable b = EmbeddingTable.start(config(topic, "shared", "b"), log("b"))) {
      List<ServeClient> clients = List.of(new ServeClient(a.port()), new ServeClient(b.port()));
      await(() -> splitInTwo(clients), PATIENCE,
          () -> "the instances never split the partitions: " + instances(clients.get(0)));
      for (String id : ids) {
        // a late rebalance may still move a partition after the split: judge the routing on one
        // consistent view of the owners, and look again until it settles
        await(() -> servedByOwnerAndPointedToByTheOther(clients, a.port(), topic, id), PATIENCE,
            () -> id + " was not served by its owner, or the other instance did not point there: "
                + instances(clients.get(0)));
      }
    }
  }

  @Test
  void eitherInstanceSearchesTheWholeTableAndSaysWhenAnInstanceIsMissing() throws Exception {
    String topic = "fanout.embeddings";
    kafka.createTopics(List.of(topic), 2);
    List<String> ids = List.of("y0", "y1", "y2", "y3", "y4", "y5", "y6", "y7");
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int i = 0; i < ids.size(); i++) { // y0 is nearest to (1, 0), y7 farthest
        send(producer, topic, embedding("moco", ids.get(i), 3, 1, i));
      }
    }
    String search = "{\"vector\": [1, 0], \"k\": 8}";
    try (EmbeddingTable a = EmbeddingTable.start(config(topic, "fanout", "a"), log("a"));
        EmbeddingTable b = EmbeddingTable.start(config(topic, "fanout", "b"), log("b"))) {
      List<ServeClient> clients = List.of(new ServeClient(a.port()), new ServeClient(b.port()));
      await(() -> splitInTwo(clients), PATIENCE,
          () -> "the instances never split the partitions: " + instances(clients.get(0)));
      for (ServeClient client : clients) {
        await(() -> {
          Reply found = client.send("POST", "/models/moco/search", search);
          return found.status() == 200 && ids(found.body()).equals(ids)
              && !found.body().get("partial").asBoolean()
              && partitions(found.body()).equals(List.of(0, 1));
        }, PATIENCE, () -> "no whole answer from every partition: " + instances(clients.get(0)));
      }

      List<Integer> partitionsOfA = partitions(ownerOfPort(clients.get(0), a.port()));
      b.closeHttp(); // b keeps its partition, but no longer answers
      Reply partial = clients.get(0).send("POST", "/models/moco/search", search);
      assertEquals(200, partial.status(), partial.body().toString());
      assertTrue(partial.body().get("partial").asBoolean(), partial.body().toString());
      assertEquals(partitionsOfA, partitions(partial.body()));
      List<Integer> missing = new ArrayList<>();
      partial.body().get("missingPartitions").forEach(p -> missing.add(p.asInt()));
      assertEquals(List.of(0, 1).stream().filter(p -> !partitionsOfA.contains(p)).toList(),
          missing);
      assertEquals("127.0.0.1:" + b.port(), partial.body().at("/missing/0/instance").asText());
      List<String> expected = ids.stream().filter(id -> partitionsOfA.contains(
          partitionOf(topic, id))).toList();
      assertEquals(expected, ids(partial.body()), "the partial answer is a's top-k, in order");

      b.close(); // now b leaves the group: a takes its partition over and answers whole again
      await(() -> {
        Reply found = clients.get(0).send("POST", "/models/moco/search", search);
        return found.status() == 200 && !found.body().get("partial").asBoolean()
            && ids(found.body()).equals(ids);
      }, PATIENCE, () -> "a never answered whole alone: " + instances(clients.get(0)));
    }
  }

  @Test
  void withAStandbyReplicaEachInstanceKeepsTheOthersPartitionAndServesItWhenItIsLost()
      throws Exception {
    String topic = "standby.embeddings";
    kafka.createTopics(List.of(topic), 2);
    List<String> ids = List.of("z0", "z1", "z2", "z3", "z4", "z5");
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (String id : ids) {
        send(producer, topic, embedding("moco", id, 1, 1, 0));
      }
    }
    try (EmbeddingTable a = EmbeddingTable.start(config(topic, "standby", "a", 1), log("a"));
        EmbeddingTable b = EmbeddingTable.start(config(topic, "standby", "b", 1), log("b"))) {
      ServeClient clientA = new ServeClient(a.port());
      List<ServeClient> clients = List.of(clientA, new ServeClient(b.port()));
      await(() -> splitInTwo(clients) && standbysOfEachOther(clientA), PATIENCE,
          () -> "no instance kept a standby of the other's partition: " + instances(clientA));

      b.close();
      for (String id : ids) {
        await(() -> clientA.get("/models/moco/embeddings/" + id).status() == 200, PATIENCE,
            () -> id + " was not served after b was lost: " + instances(clientA));
      }
    }
  }

  /** Each of the two instances holds a standby copy of the other's active partition. */
  private static boolean standbysOfEachOther(ServeClient client) throws Exception {
    JsonNode all = client.get("/instances").body().get("instances");
    if (all == null || all.size() != 2) {
      return false;
    }
    for (int i = 0; i < 2; i++) {
      List<Integer> standby = new ArrayList<>();
      all.get(i).path("standbyPartitions").forEach(p -> standby.add(p.asInt()));
      if (!standby.equals(partitions(all.get(1 - i)))) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode ownerOfPort(ServeClient client, int port) throws Exception {
    for (JsonNode instance : client.get("/instances").ok().get("instances")) {
      if (instance.get("port").asInt() == port) {
        return instance;
      }
    }
    throw new AssertionError("no instance on port " + port);
  }

  private static int partitionOf(String topic, String id) {
    return InteractiveQueries.BY_ID.partitions(topic, new EmbeddingKey("moco", id), null, 2)
        .orElseThrow().iterator().next();
  }

  /**
   * The owner of the id's partition (per /instances) serves it; the other instance answers 404
   * naming that owner, and the URL it gives serves the embedding.
   */
  private static boolean servedByOwnerAndPointedToByTheOther(List<ServeClient> clients,
      int firstPort, String topic, String id) throws Exception {
    Reply instances = clients.get(0).get("/instances");
    if (instances.status() != 200) {
      return false;
    }
    JsonNode all = instances.body().get("instances");
    int partition = partitionOf(topic, id);
    JsonNode owner = ownerOf(all, partition);
    if (owner == null) {
      return false;
    }
    ServeClient ownerClient = owner.get("port").asInt() == firstPort
        ? clients.get(0) : clients.get(1);
    ServeClient otherClient = ownerClient == clients.get(0) ? clients.get(1) : clients.get(0);
    String path = "/models/moco/embeddings/" + id;
    if (ownerClient.get(path).status() != 200) {
      return false;
    }
    Reply miss = otherClient.get(path);
    if (miss.status() != 404 || miss.body().get("owner") == null
        || !owner.get("address").asText().equals(miss.body().get("owner").asText())) {
      return false;
    }
    URI ownerUrl = URI.create(miss.body().get("ownerUrl").asText());
    return new ServeClient(ownerUrl.getPort()).get(ownerUrl.getPath()).status() == 200;
  }

  private ServeConfig config(String topic, String applicationId, String instance) {
    return config(topic, applicationId, instance, 0);
  }

  private ServeConfig config(String topic, String applicationId, String instance,
      int standbyReplicas) {
    return new ServeConfig(kafka.bootstrapServers(), topic, 0, "127.0.0.1",
        dir.resolve(applicationId + "-" + instance), applicationId, Duration.ofDays(1), null,
        Map.of(), standbyReplicas, HttpOptions.defaults());
  }

  private static java.util.function.Consumer<String> log(String instance) {
    return line -> System.err.println("serve " + instance + ": " + line);
  }

  private KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Keyed by id, as the job's sink writes embeddings. */
  private static void send(KafkaProducer<byte[], byte[]> producer, String topic,
      EmbeddingRecord e) throws Exception {
    producer.send(new ProducerRecord<>(topic, e.getId().getBytes(StandardCharsets.UTF_8),
        CODEC.encode(e))).get();
  }

  private static boolean splitInTwo(List<ServeClient> clients) throws Exception {
    for (ServeClient client : clients) {
      if (client.get("/health").status() != 200) {
        return false;
      }
    }
    JsonNode all = clients.get(0).get("/instances").body().get("instances");
    return all.size() == 2 && partitions(all.get(0)).size() == 1
        && partitions(all.get(1)).size() == 1;
  }

  /** The instance serving the partition; null while none does (mid-rebalance). */
  private static JsonNode ownerOf(JsonNode instances, int partition) {
    for (JsonNode instance : instances) {
      if (partitions(instance).contains(partition)) {
        return instance;
      }
    }
    return null;
  }

  private static List<Integer> partitions(JsonNode instance) {
    List<Integer> partitions = new ArrayList<>();
    instance.get("partitions").forEach(p -> partitions.add(p.asInt()));
    return partitions;
  }

  private static String metrics(ServeClient client) {
    return describe(client, "/metrics");
  }

  private static String instances(ServeClient client) {
    return describe(client, "/instances");
  }

  private static String describe(ServeClient client, String path) {
    try {
      return client.get(path).body().toString();
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** A condition that may need a request to check. */
  private interface Check {
    boolean holds() throws Exception;
  }

  private static void await(Check condition, Duration timeout, Supplier<String> failure)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      assertTrue(System.nanoTime() < deadline, () -> "after " + timeout + ": " + failure.get());
      Thread.sleep(100);
    }
  }
}
