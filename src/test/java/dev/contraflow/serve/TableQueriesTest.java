package dev.contraflow.serve;

import static dev.contraflow.serve.ServeClient.ids;
import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table's answers without HTTP: no socket, no routing, only the queries over the real stores
 * (TopologyTestDriver). Model "m": at version 2, a (1,0), b (0.8,0.6), c (-1,0); a was (0,1) at
 * version 1 until t=2000.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TableQueriesTest {

  private final ObjectMapper json = new ObjectMapper();
  private final OneOfTwoInstances instances = new OneOfTwoInstances();
  private TableDriver table;
  private TableQueries queries;

  @BeforeAll
  void fill(@TempDir Path stateDir) {
    table = new TableDriver(stateDir);
    table.pipe(embedding("m", "a", 1, 0, 1), 1_000);
    table.pipe(embedding("m", "a", 2, 1, 0), 2_000);
    table.pipe(embedding("m", "b", 2, 0.8f, 0.6f), 2_000);
    table.pipe(embedding("m", "c", 2, -1, 0), 2_000);
    queries = new TableQueries(table.table(), instances, table.counters, json);
  }

  @AfterAll
  void close() {
    table.close();
  }

  @Test
  void aLookupAsOfATimeAnswersTheRowThenCurrent() {
    ObjectNode then = queries.embedding(new EmbeddingKey("m", "a"), Instant.ofEpochMilli(1_500),
        "/p");
    assertEquals(1, then.get("modelVersion").asLong());
    assertEquals(1_500, then.get("asOf").asLong());
    assertEquals(2, queries.embedding(new EmbeddingKey("m", "a"), null, "/p")
        .get("modelVersion").asLong());
  }

  @Test
  void searchByIdRanksTheOthersByCosineAndLeavesTheQueryOut() {
    ObjectNode found = queries.search("m", request("{\"id\": \"a\", \"k\": 5}"), "/p");
    assertEquals(List.of("b", "c"), ids(found));
  }

  @Test
  void aMissOnAKeyOfAnotherInstanceSaysWhichInstanceHasIt() {
    HttpProblem p = assertThrows(HttpProblem.class,
        () -> queries.embedding(new EmbeddingKey("m", "remote-1"), null, "/p"));
    assertTrue(p.getMessage().contains("instance other:9090 serves its partition"),
        p.getMessage());
  }

  @Test
  void aVectorOfTheWrongDimensionIsABadRequestThatSaysBoth() {
    HttpProblem p = assertThrows(HttpProblem.class,
        () -> queries.search("m", request("{\"vector\": [1, 0, 0]}"), "/p"));
    assertEquals(400, p.status);
    assertTrue(p.getMessage().contains("has 3 dimensions but model m version 2 embeddings have 2"),
        p.getMessage());
  }

  @Test
  void whileTheTableCannotAnswerHealthSaysSoAndMetricsLeaveTheStoreSizeOut() {
    assertTrue(queries.health().get("serving").asBoolean());
    assertTrue(queries.metrics().has("storeSize"));
    instances.serving = false;
    try {
      assertFalse(queries.health().get("serving").asBoolean());
      assertFalse(queries.metrics().has("storeSize"));
      assertEquals(4, queries.metrics().get("stored").asLong());
    } finally {
      instances.serving = true;
    }
  }

  private SearchRequest request(String body) {
    return SearchRequest.parse(body.getBytes(StandardCharsets.UTF_8), json);
  }
}
