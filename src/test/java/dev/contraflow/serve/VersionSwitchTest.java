package dev.contraflow.serve;

import static dev.contraflow.serve.ServeClient.ids;
import static dev.contraflow.serve.TableDriver.checkpoint;
import static dev.contraflow.serve.TableDriver.embedding;
import static dev.contraflow.serve.TableDriver.refresh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contraflow.avro.CheckpointStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's serve side on the table's real topology (TopologyTestDriver): versions of one id
 * coexist, the default search answers from the newest complete version of the model and switches
 * to the next one only when all of it is here, a rejected version never becomes current, and old
 * versions leave. Three ids a (1,0), b (0,1), c (-1,0); a refresh of version V re-embeds all three.
 */
class VersionSwitchTest {

  private final ObjectMapper json = new ObjectMapper();
  private final OneOfTwoInstances instances = new OneOfTwoInstances();
  private TableDriver table;
  private TableQueries queries;
  private long time = 1_000;

  private void start(Path dir) {
    table = new TableDriver(dir);
    queries = new TableQueries(table.table(), instances, table.counters, json);
  }

  @AfterEach
  void close() {
    table.close();
  }

  @Test
  void beforeAnyCompleteVersionTheDefaultIsTheNewestVersionSeenAndSaysSo(@TempDir Path dir) {
    start(dir);
    pipeNew(1, "a", "b");
    pipeNew(2, "c");

    JsonNode found = search("{\"vector\": [1, 0], \"k\": 10}");
    assertEquals(List.of(2L), longs(found.get("versions")));
    assertEquals(List.of("c"), ids(found));
    assertEquals("NEWEST_SEEN", found.get("versionChoice").asText());
  }

  @Test
  void aCompleteVersionReplacesThePreviousOneOnlyWhenAllItsEmbeddingsAreHere(@TempDir Path dir) {
    start(dir);
    refreshAll(2);
    table.catalog.apply(checkpoint("m", 2, CheckpointStatus.COMPLETE, 3L, null));
    assertCurrent(2, "COMPLETE");

    table.catalog.apply(checkpoint("m", 4, CheckpointStatus.PUBLISHED, null, null));
    pipeNew(5, "a"); // learning goes on while version 4 refreshes
    pipeRefresh(4, "a", "b");
    table.catalog.apply(checkpoint("m", 4, CheckpointStatus.COMPLETE, 3L, null));
    assertCurrent(2, "COMPLETE"); // c of version 4 is not here yet: version 2 stays, whole

    pipeRefresh(4, "c");
    assertCurrent(4, "COMPLETE");
    JsonNode all = search("{\"vector\": [1, 0], \"k\": 3}");
    assertEquals(List.of("a", "b", "c"), ids(all), "all three ids of version 4, once each");
    all.get("results").forEach(hit -> assertEquals(4, hit.get("modelVersion").asLong()));
    assertEquals(List.of("a"), ids(search("{\"vector\": [1, 0], \"version\": 5}")),
        "explicit versions are answered as before");
    assertEquals(List.of(5L), longs(search("{\"vector\": [1, 0], \"version\": \"newest\"}")
        .get("versions")), "the newest version seen, complete or not, when asked for");
    JsonNode byId = search("{\"id\": \"a\"}");
    assertEquals(List.of(4L), longs(byId.get("versions")),
        "by id: a's row in the current version, not its newer one of version 5");
    assertEquals(List.of("b", "c"), ids(byId));
  }

  /**
   * The job embeds a micro-batch by the model before its updates (issue 20): a record that
   * arrives after a publish carries the published version, and its NEW embedding lands on the row
   * the refresh filled. The id stays counted: the version completes and stays current.
   */
  @Test
  void aNewEmbeddingByAPublishedVersionKeepsItsRefreshedRowCounted(@TempDir Path dir) {
    start(dir);
    table.catalog.apply(checkpoint("m", 2, CheckpointStatus.PUBLISHED, null, null));
    pipeRefresh(2, "a", "b");
    pipeNew(2, "a"); // a sent again, embedded by version 2 before the next update
    pipeNew(2, "c"); // c arrives while version 2 refreshes: its refresh embedding follows
    pipeRefresh(2, "c");
    table.catalog.apply(checkpoint("m", 2, CheckpointStatus.COMPLETE, 3L, null));
    assertCurrent(2, "COMPLETE");
    assertEquals(3, model().at("/versions/0/refreshed").asLong());
  }

  @Test
  void aRejectedVersionNeverBecomesCurrentAndTheModelSaysWhy(@TempDir Path dir) {
    start(dir);
    refreshAll(2);
    table.catalog.apply(checkpoint("m", 2, CheckpointStatus.COMPLETE, 3L, null));
    pipeNew(3, "a", "b", "c");
    table.catalog.apply(checkpoint("m", 3, CheckpointStatus.REJECTED, null,
        "collapse: embedding std 0.0001 < 0.01"));
    assertCurrent(2, "COMPLETE");

    JsonNode model = model();
    assertEquals(2, model.get("current").asLong());
    JsonNode newest = model.at("/versions/0");
    assertEquals(3, newest.get("version").asLong());
    assertEquals("REJECTED", newest.get("state").asText());
    assertTrue(newest.get("reason").asText().startsWith("collapse"));
    assertFalse(newest.get("current").asBoolean());
    JsonNode two = model.at("/versions/1");
    assertEquals("COMPLETE", two.get("state").asText());
    assertEquals(3, two.get("expected").asLong());
    assertEquals(3, two.get("refreshed").asLong());
    assertTrue(two.get("current").asBoolean());
  }

  @Test
  void completeVersionsOlderThanTheKeptOnesAndSupersededMicroBatchesLeaveTheTable(
      @TempDir Path dir) {
    start(dir);
    pipeNew(1, "a");
    pipeNew(2, "b"); // version 1 was one micro-batch, and nothing will complete it
    assertEquals(List.of(2L), heldVersions());

    for (long v : new long[] {2, 4, 6}) {
      refreshAll(v);
      table.catalog.apply(checkpoint("m", v, CheckpointStatus.COMPLETE, 3L, null));
      table.advanceWallClock(LatestByModelVersion.EVICT_EVERY);
    }
    assertEquals(List.of(4L, 6L), heldVersions(), "the current version and one before it");
    assertTrue(table.counters.evicted() >= 4, "rows evicted: " + table.counters.evicted());
    assertCurrent(6, "COMPLETE");
    HttpProblem gone = assertThrows(HttpProblem.class,
        () -> search("{\"vector\": [1, 0], \"version\": 2}"));
    assertEquals(404, gone.status, "no id's newest row is of version 2 any more");
  }

  @Test
  void acrossInstancesAVersionIsCompleteWhenTheirCountsAddUpToWhatTheJobSaid(
      @TempDir Path dir) {
    start(dir.resolve("here"));
    try (TableDriver there = new TableDriver(dir.resolve("there"))) {
      TableQueries other = new TableQueries(there.table(), instances, there.counters, json);
      refreshAll(2);
      table.catalog.apply(checkpoint("m", 2, CheckpointStatus.COMPLETE, 4L, null));
      FanOutSearch fanOut = new FanOutSearch(instances, peersAnswering(other), table.catalog,
          json);

      JsonNode before = fanOut.search("m", request("{\"vector\": [1, 0], \"k\": 10}"),
          localPart());
      assertEquals("NEWEST_SEEN", before.get("versionChoice").asText(),
          "3 of version 2's 4 embeddings are here, the 4th on the other instance has not come");

      there.pipe(refresh("m", "remote-d", 2, 0, -1), time++);
      JsonNode after = fanOut.search("m", request("{\"vector\": [1, 0], \"k\": 10}"),
          localPart());
      assertEquals("COMPLETE", after.get("versionChoice").asText());
      assertEquals(List.of("a", "b", "remote-d", "c"), ids(after));
      JsonNode model = fanOut.model("m", localPart());
      assertEquals(2, model.get("current").asLong());
      assertEquals(4, model.at("/versions/0/refreshed").asLong());

      there.pipe(embedding("m", "remote-d", 3, 1, 0), time++); // learning goes on there
      JsonNode byId = fanOut.search("m", request("{\"id\": \"remote-d\"}"), localPart());
      assertEquals(List.of(2L), longs(byId.get("versions")),
          "remote-d's version 2 row, fetched from the other instance, is the query");
      assertEquals(List.of("a", "c", "b"), ids(byId), "ranked by (0, -1): ties by id");
    }
  }

  // --- helpers

  private void pipeNew(long version, String... ids) {
    for (String id : ids) {
      table.pipe(embedding("m", id, version, vector(id)), time++);
    }
  }

  private void pipeRefresh(long version, String... ids) {
    for (String id : ids) {
      table.pipe(refresh("m", id, version, vector(id)), time++);
    }
  }

  private void refreshAll(long version) {
    table.catalog.apply(checkpoint("m", version, CheckpointStatus.PUBLISHED, null, null));
    pipeRefresh(version, "a", "b", "c");
  }

  private static float[] vector(String id) {
    return switch (id) {
      case "a" -> new float[] {1, 0};
      case "b" -> new float[] {0, 1};
      default -> new float[] {-1, 0};
    };
  }

  private void assertCurrent(long version, String choice) {
    JsonNode found = search("{\"vector\": [1, 0], \"k\": 10}");
    assertEquals(List.of(version), longs(found.get("versions")), found.toString());
    assertEquals(choice, found.get("versionChoice").asText());
    found.get("results").forEach(hit -> assertEquals(version, hit.get("modelVersion").asLong()));
  }

  private JsonNode search(String body) {
    return queries.search("m", request(body), "/models/m/search");
  }

  private SearchRequest request(String body) {
    return SearchRequest.parse(body.getBytes(StandardCharsets.UTF_8), json);
  }

  private JsonNode model() {
    return new FanOutSearch(instances, OneOfTwoInstances.emptyOther(), table.catalog, json)
        .model("m", localPart());
  }

  private List<Long> heldVersions() {
    return longs(queries.heldVersions("m").get("versions"));
  }

  private FanOutSearch.LocalPart localPart() {
    return new FanOutSearch.LocalPart() {
      @Override
      public ObjectNode search(SearchRequest part) {
        return queries.search("m", part, "/p");
      }

      @Override
      public ObjectNode row(EmbeddingKey key, Long version) {
        return version == null ? queries.embedding(key, null, "/p")
            : queries.embeddingAt(key, version, "/p");
      }

      @Override
      public ObjectNode heldVersions() {
        return queries.heldVersions("m");
      }
    };
  }

  private static Peers peersAnswering(TableQueries other) {
    return new Peers() {
      @Override
      public CompletableFuture<Reply> search(Instances.Instance peer, String modelId,
          SearchRequest part) {
        return answer(() -> other.search(modelId, part, "/p"));
      }

      @Override
      public CompletableFuture<Reply> versions(Instances.Instance peer, String modelId) {
        return answer(() -> other.heldVersions(modelId));
      }

      @Override
      public CompletableFuture<Reply> row(Instances.Instance owner, EmbeddingKey key,
          Long version) {
        return answer(() -> version == null ? other.embedding(key, null, "/p")
            : other.embeddingAt(key, version, "/p"));
      }
    };
  }

  /** What the peer's server would send: its answer, or its problem's status. */
  private static CompletableFuture<Peers.Reply> answer(Supplier<ObjectNode> query) {
    try {
      return CompletableFuture.completedFuture(new Peers.Reply(200, query.get()));
    } catch (HttpProblem p) {
      return CompletableFuture.completedFuture(new Peers.Reply(p.status,
          new ObjectMapper().createObjectNode().put("error", p.getMessage())));
    }
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> values = new ArrayList<>();
    array.forEach(x -> values.add(x.get("version") == null ? x.asLong()
        : x.get("version").asLong()));
    return values;
  }
}
