package dev.contraflow.serve;

import static dev.contraflow.serve.ServeClient.ids;
import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search over both instances of {@link OneOfTwoInstances}, without HTTP: this one (partition 0)
 * holds east (1,0) and north (0,1); the other (partition 1, its own real table) holds remote-ne
 * (0.8,0.6) and remote-west (-1,0), all of model "m" version 2. Model "n" has x (1,0) at
 * version 2 here and remote-y (1,0.1) at version 1 there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FanOutSearchTest {

  private final ObjectMapper json = new ObjectMapper();
  private final OneOfTwoInstances instances = new OneOfTwoInstances();
  private TableDriver here;
  private TableDriver there;
  private TableQueries local;
  private TableQueries other;

  @BeforeAll
  void fill(@TempDir Path dir) {
    here = new TableDriver(dir.resolve("here"));
    here.pipe(embedding("m", "east", 2, 1, 0), 1_000);
    here.pipe(embedding("m", "north", 2, 0, 1), 1_000);
    here.pipe(embedding("n", "x", 2, 1, 0), 1_000);
    there = new TableDriver(dir.resolve("there"));
    there.pipe(embedding("m", "remote-ne", 2, 0.8f, 0.6f), 1_000);
    there.pipe(embedding("m", "remote-west", 2, -1, 0), 1_000);
    there.pipe(embedding("n", "remote-y", 1, 1, 0.1f), 1_000);
    local = new TableQueries(here.table(), instances, here.counters, json);
    other = new TableQueries(there.table(), instances, there.counters, json);
  }

  @AfterAll
  void close() {
    here.close();
    there.close();
  }

  @Test
  void theTopKIsMergedFromEveryInstanceAndSaysWhichPartitionsAnswered() {
    JsonNode found = search(otherAnswers(), "m", "{\"vector\": [1, 0], \"k\": 3}");
    assertEquals(List.of("east", "remote-ne", "north"), ids(found));
    assertEquals(0.8, found.at("/results/1/score").asDouble(), 1e-6);
    assertEquals(List.of(0, 1), ints(found.get("partitions")));
    assertFalse(found.get("partial").asBoolean());
    assertEquals(4, found.get("ranked").asLong());
  }

  @Test
  void anInstanceThatCannotBeAskedMakesTheAnswerPartialAndSaysWhich() {
    Peers down = peers(() -> CompletableFuture.failedFuture(new ConnectException("refused")));
    JsonNode found = search(down, "m", "{\"vector\": [1, 0], \"k\": 3}");
    assertEquals(List.of("east", "north"), ids(found));
    assertTrue(found.get("partial").asBoolean());
    assertEquals(List.of(0), ints(found.get("partitions")));
    assertEquals(List.of(1), ints(found.get("missingPartitions")));
    assertEquals("other:9090", found.at("/missing/0/instance").asText());
    assertTrue(found.at("/missing/0/reason").asText().contains("refused"));
  }

  @Test
  void underTheNewestRuleAnInstanceWithOnlyOlderVectorsAddsNothing() {
    JsonNode found = search(otherAnswers(), "n", "{\"vector\": [1, 0]}");
    assertEquals(List.of("x"), ids(found), "remote-y is of version 1, x of version 2");
    assertEquals(List.of(2), ints(found.get("versions")));

    JsonNode mixed = search(otherAnswers(), "n", "{\"vector\": [1, 0], \"mixVersions\": true}");
    assertEquals(List.of("x", "remote-y"), ids(mixed));
  }

  @Test
  void aSearchByAnIdHeldElsewhereRanksItsVectorEverywhereAndLeavesItOut() {
    JsonNode found = search(otherAnswers(), "m", "{\"id\": \"remote-ne\", \"k\": 3}");
    assertEquals(List.of("east", "north", "remote-west"), ids(found));
    assertEquals("remote-ne", found.get("queryId").asText());
    assertEquals(List.of(2), ints(found.get("versions")));
  }

  @Test
  void aLocalRequestRanksThisInstancesPartitionsOnly() {
    JsonNode found = search(otherAnswers(), "m", "{\"vector\": [1, 0], \"local\": true}");
    assertEquals(List.of("east", "north"), ids(found));
    assertEquals("local", found.get("scope").asText());
  }

  @Test
  void exactOnRequestIsAskedOfEveryInstanceAndTheAnswerSaysHowEachRanked() throws Exception {
    List<SearchRequest> asked = new ArrayList<>();
    Peers byIndex = otherAnswers((modelId, part) -> {
      // as it travels: JSON, parsed on the other side
      SearchRequest sent = SearchRequest.parse(part.toJson(json).toString()
          .getBytes(StandardCharsets.UTF_8), json);
      asked.add(sent);
      return other.search(modelId, sent, "/p").put("method", "hnsw");
    });

    JsonNode found = search(byIndex, "m", "{\"vector\": [1, 0], \"k\": 3, \"exact\": true}");
    assertTrue(asked.get(0).exact(), "the other instance was not asked for an exact scan");
    assertEquals(List.of("east", "remote-ne", "north"), ids(found));
    assertEquals("exact+hnsw", found.get("method").asText(),
        "this instance scanned, the other (here, pretending) used its index");
    assertEquals("exact", search(otherAnswers(), "m", "{\"vector\": [1, 0]}").get("method")
        .asText());
  }

  // --- helpers

  private JsonNode search(Peers peers, String modelId, String body) {
    SearchRequest request = SearchRequest.parse(body.getBytes(StandardCharsets.UTF_8), json);
    return new FanOutSearch(instances, peers, here.catalog, json).search(modelId, request,
        localPart(modelId));
  }

  private FanOutSearch.LocalPart localPart(String modelId) {
    return new FanOutSearch.LocalPart() {
      @Override
      public ObjectNode search(SearchRequest part) {
        return local.search(modelId, part, "/p");
      }

      @Override
      public ObjectNode row(EmbeddingKey key, Long version) {
        return version == null ? local.embedding(key, null, "/p")
            : local.embeddingAt(key, version, "/p");
      }

      @Override
      public ObjectNode heldVersions() {
        return local.heldVersions(modelId);
      }
    };
  }

  /** The other instance answering from its table, as its server would. */
  private Peers otherAnswers() {
    return otherAnswers((modelId, part) -> other.search(modelId, part, "/p"));
  }

  /** The other instance answering rows and versions from its table, searches by {@code search}. */
  private Peers otherAnswers(BiFunction<String, SearchRequest, ObjectNode> search) {
    return new Peers() {
      @Override
      public CompletableFuture<Reply> search(Instances.Instance peer, String modelId,
          SearchRequest part) {
        return answer(() -> search.apply(modelId, part));
      }

      @Override
      public CompletableFuture<Reply> row(Instances.Instance owner, EmbeddingKey key,
          Long version) {
        return answer(() -> version == null ? other.embedding(key, null, "/p")
            : other.embeddingAt(key, version, "/p"));
      }

      @Override
      public CompletableFuture<Reply> versions(Instances.Instance peer, String modelId) {
        return answer(() -> other.heldVersions(modelId));
      }
    };
  }

  private CompletableFuture<Peers.Reply> answer(Supplier<ObjectNode> query) {
    try {
      return CompletableFuture.completedFuture(new Peers.Reply(200, query.get()));
    } catch (HttpProblem p) {
      return CompletableFuture.completedFuture(new Peers.Reply(p.status,
          json.createObjectNode().put("status", p.status).put("error", p.getMessage())));
    }
  }

  private static Peers peers(Supplier<CompletableFuture<Peers.Reply>> every) {
    return new Peers() {
      @Override
      public CompletableFuture<Reply> search(Instances.Instance peer, String modelId,
          SearchRequest part) {
        return every.get();
      }

      @Override
      public CompletableFuture<Reply> row(Instances.Instance owner, EmbeddingKey key,
          Long version) {
        return every.get();
      }

      @Override
      public CompletableFuture<Reply> versions(Instances.Instance peer, String modelId) {
        return every.get();
      }
    };
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> values = new ArrayList<>();
    array.forEach(x -> values.add(x.asInt()));
    return values;
  }
}
