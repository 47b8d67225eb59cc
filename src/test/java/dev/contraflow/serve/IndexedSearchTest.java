package dev.contraflow.serve;

import static dev.contraflow.serve.ServeClient.ids;
import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.bench.ClusteredVectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which ranking a search of the table gets (issue 14): the exact scan below {@code
 * --index-threshold}, an HNSW index above it once the first search has had it built, and the exact
 * scan whenever a search asks {@code "exact": true}. Model "m" version 2: 200 vectors of 16
 * dimensions around 20 centres (TopologyTestDriver, no broker).
 */
class IndexedSearchTest {

  private static final int DIM = 16;
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final ObjectMapper json = new ObjectMapper();
  private final Random random = new Random(11);
  private final ClusteredVectors mixture = new ClusteredVectors(DIM, 20, 1.0, random);
  private TableDriver table;
  private TableQueries queries;

  private void fill(Path stateDir, int threshold) {
    table = new TableDriver(stateDir, new VectorIndexes(new IndexOptions(threshold, 10_000, 16,
        100, 100)));
    for (int i = 0; i < 200; i++) {
      table.pipe(embedding("m", "v" + i, 2, mixture.next(random)), 1_000 + i);
    }
    queries = new TableQueries(table.table(), new OneOfTwoInstances(), table.counters, json);
  }

  @AfterEach
  void close() {
    table.close();
  }

  @Test
  void belowTheThresholdEverySearchIsExactAndNothingIsIndexed(@TempDir Path dir) {
    fill(dir, 1_000);
    for (int i = 0; i < 3; i++) {
      assertEquals("exact", search(mixture.next(random), "").get("method").asText());
    }
    assertEquals(0, table.table().indexes().nodes());
  }

  @Test
  void aboveTheThresholdSearchesUseTheIndexAndFindWhatTheExactScanFinds(@TempDir Path dir)
      throws Exception {
    fill(dir, 150);
    assertEquals("exact", search(mixture.next(random), "").get("method").asText(),
        "the first search scans: only it tells how large the version is");
    awaitIndex();

    double recall = 0;
    for (int q = 0; q < 20; q++) {
      float[] query = mixture.next(random);
      ObjectNode approximate = search(query, "");
      ObjectNode exact = search(query, ", \"exact\": true");
      assertEquals("hnsw", approximate.get("method").asText());
      assertEquals("exact", exact.get("method").asText(), "exact on request");
      assertEquals(200, approximate.get("ranked").asLong());
      recall += SearchBenchmark.recall(ids(approximate), ids(exact));
    }
    assertTrue(recall / 20 >= 0.9, "recall@10 = " + recall / 20);
  }

  @Test
  void theIndexFollowsItsVersionAsEmbeddingsArriveAndANewerVersionLeavesItWhole(@TempDir Path dir)
      throws Exception {
    fill(dir, 150);
    search(mixture.next(random), "");
    awaitIndex();
    float[] query = mixture.next(random);
    String best = ids(search(query, "")).get(0);

    table.pipe(embedding("m", "fresh", 2, query), 5_000);
    table.catalog.apply(TableDriver.checkpoint("m", 2, CheckpointStatus.COMPLETE, null, null));
    float[] away = query.clone();
    for (int i = 0; i < away.length; i++) {
      away[i] = -away[i];
    }
    table.pipe(embedding("m", best, 3, away), 5_000); // re-embedded by a newer version

    ObjectNode found = search(query, "");
    assertEquals(List.of(2L), longs(found.get("versions")), "version 2 is complete, 3 is not");
    assertEquals("hnsw", found.get("method").asText());
    assertEquals(List.of("fresh", best), ids(found).subList(0, 2),
        "version 2 keeps " + best + "'s version 2 vector beside its version 3 one");
    assertEquals(List.of(best), ids(search(query, ", \"version\": 3")));
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> values = new ArrayList<>();
    array.forEach(x -> values.add(x.asLong()));
    return values;
  }

  private void awaitIndex() throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!search(mixture.next(random), "").get("method").asText().equals("hnsw")) {
      assertTrue(System.nanoTime() < deadline, "no index after " + PATIENCE);
      Thread.sleep(50);
    }
  }

  private ObjectNode search(float[] query, String extra) {
    StringBuilder body = new StringBuilder("{\"vector\": [");
    for (int i = 0; i < query.length; i++) {
      body.append(i == 0 ? "" : ", ").append(query[i]);
    }
    body.append("], \"k\": 10").append(extra).append('}');
    return queries.search("m", SearchRequest.parse(body.toString()
        .getBytes(StandardCharsets.UTF_8), json), "/models/m/search");
  }
}
