package dev.contraflow.serve;

import static dev.contraflow.serve.ServeClient.ids;
import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.contraflow.serve.ServeClient.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP API over the real topology and stores (TopologyTestDriver), one instance that serves
 * every key except those starting "remote-", which another instance serves.
 *
 * <p>Model "moco": version 2 has cat (1,0,0), near (0.9,0.1,0), side (0,1,0), far (-1,0,0); cat
 * was (0,1,0) at version 1 until t=2000, and "old" (1,0,0) is still at version 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingServerTest {

  private TableDriver table;
  private EmbeddingServer server;
  private final OneOfTwoInstances instances = new OneOfTwoInstances();

  @BeforeAll
  void start(@TempDir Path stateDir) throws IOException {
    table = new TableDriver(stateDir);
    table.pipe(embedding("moco", "cat", 1, 0, 1, 0), 1_000);
    table.pipe(embedding("moco", "old", 1, 1, 0, 0), 1_500);
    table.pipe(embedding("moco", "cat", 2, 1, 0, 0), 2_000);
    table.pipe(embedding("moco", "near", 2, 0.9f, 0.1f, 0), 2_000);
    table.pipe(embedding("moco", "side", 2, 0, 1, 0), 2_000);
    table.pipe(embedding("moco", "far", 2, -1, 0, 0), 2_000);
    table.pipe(embedding("moco", "shirts/1 2.png", 2, 0, 0, 1), 2_000);
    server = EmbeddingServer.start(EmbeddingServer.bind(0), HttpOptions.defaults(), table.table(),
        instances, table.counters, OneOfTwoInstances.emptyOther());
  }

  @AfterAll
  void stop() {
    server.close();
    table.close();
  }

  @Test
  void getAnswersTheNewestVersionWithItsProvenance() throws Exception {
    JsonNode cat = call("GET", "/models/moco/embeddings/cat", null).ok();
    assertEquals(2, cat.get("modelVersion").asLong());
    assertEquals(List.of(1.0, 0.0, 0.0), numbers(cat.get("vector")));
    assertEquals(2_000, cat.get("validFrom").asLong());
    assertEquals("contraflow.images", cat.at("/source/topic").asText());
  }

  @Test
  void getAsOfAnswersWhatTheTableHeldThen() throws Exception {
    JsonNode then = call("GET", "/models/moco/embeddings/cat?asOf=1500", null).ok();
    assertEquals(1, then.get("modelVersion").asLong());
    assertEquals(1_000, then.get("validFrom").asLong());
    assertEquals(1_500, then.get("asOf").asLong());
  }

  @Test
  void theModelListsTheVersionsHeldAndWhichOneTheDefaultSearchUses() throws Exception {
    JsonNode model = call("GET", "/models/moco", null).ok();
    assertEquals(2, model.get("current").asLong());
    assertEquals("NEWEST_SEEN", model.get("versionChoice").asText(),
        "no checkpoint record says a version is complete: the newest version seen");
    assertEquals(1, model.get("versions").size(),
        "version 1 was one micro-batch that version 2 followed: evicted");
    JsonNode two = model.at("/versions/0");
    assertEquals(5, two.get("embeddings").asLong());
    assertEquals("SEEN", two.get("state").asText());
    assertTrue(two.get("current").asBoolean());
    assertEquals(404, call("GET", "/models/nothing", null).status());
    assertEquals(400, call("GET", "/models/moco?local=maybe", null).status());
  }

  @Test
  void aRowOfOneVersionIsAddressedByVersion() throws Exception {
    JsonNode cat = call("GET", "/models/moco/embeddings/cat?version=2", null).ok();
    assertEquals(List.of(1.0, 0.0, 0.0), numbers(cat.get("vector")));
    assertEquals("NEW", cat.get("kind").asText());
    assertEquals(404, call("GET", "/models/moco/embeddings/cat?version=1", null).status(),
        "version 1 is no longer kept");
    assertEquals(400, call("GET", "/models/moco/embeddings/cat?version=two", null).status());
  }

  @Test
  void idsArePercentDecodedSegments() throws Exception {
    JsonNode shirt = call("GET", "/models/moco/embeddings/shirts%2F1%202.png", null).ok();
    assertEquals("shirts/1 2.png", shirt.get("id").asText());
  }

  @Test
  void missOfAKeyServedElsewhereNamesTheOwner() throws Exception {
    Reply miss = call("GET", "/models/moco/embeddings/remote-cat", null);
    assertEquals(404, miss.status());
    assertEquals("other:9090", miss.body().get("owner").asText());
    assertEquals("http://other:9090/models/moco/embeddings/remote-cat",
        miss.body().get("ownerUrl").asText());
  }

  @Test
  void searchByVectorRanksOnlyTheNewestVersionAndSaysWhich() throws Exception {
    JsonNode found = search("{\"vector\": [1, 0, 0], \"k\": 2}");
    assertEquals(List.of("cat", "near"), ids(found)); // "old" is as close, but of version 1
    assertEquals(List.of(2.0), numbers(found.get("versions")));
    assertEquals(1.0, found.at("/results/0/score").asDouble(), 1e-6);
  }

  @Test
  void searchWithAVersionRanksThatVersionOnly() throws Exception {
    JsonNode found = search("{\"vector\": [1, 0, 0], \"version\": 1}");
    assertEquals(List.of("old"), ids(found));
    assertEquals(List.of(1.0), numbers(found.get("versions")));
  }

  @Test
  void searchMixesVersionsOnlyWhenAskedAndListsThem() throws Exception {
    JsonNode found = search("{\"vector\": [1, 0, 0], \"k\": 3, \"mixVersions\": true}");
    assertEquals(List.of("cat", "old", "near"), ids(found));
    assertEquals(List.of(1.0, 2.0), numbers(found.get("versions")));
  }

  @Test
  void searchByIdRanksItsOwnVersionAndLeavesItselfOut() throws Exception {
    JsonNode found = search("{\"id\": \"cat\", \"k\": 10}");
    assertEquals(List.of("near", "shirts/1 2.png", "side", "far"), ids(found)); // ties by id
    assertEquals(List.of(2.0), numbers(found.get("versions")));
    assertEquals("cat", found.get("queryId").asText());

    JsonNode alone = search("{\"id\": \"old\"}");
    assertEquals(List.of(), ids(alone), "nothing else is of version 1");
    assertEquals(List.of(1.0), numbers(alone.get("versions")));
  }

  @Test
  void healthMetricsAndInstancesDescribeThisInstance() throws Exception {
    assertEquals("RUNNING", call("GET", "/health", null).ok().get("state").asText());
    JsonNode metrics = call("GET", "/metrics", null).ok();
    assertEquals(7, metrics.get("recordsRead").asLong());
    assertEquals(0, metrics.get("undecodable").asLong());
    assertEquals(6, metrics.get("storeSize").asLong());
    JsonNode all = call("GET", "/instances", null).ok().get("instances");
    assertEquals(2, all.size());
    assertTrue(all.get(0).get("self").asBoolean());
    assertEquals("other:9090", all.get(1).get("address").asText());
  }

  @Test
  void metricsAreInPrometheusTextFormatWhenAskedForIt() throws Exception {
    for (Map.Entry<String, String> ask : Map.of(
        "/metrics?format=prometheus", "*/*",
        "/metrics", "text/plain;version=0.0.4;q=0.3,*/*;q=0.1").entrySet()) {
      HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://localhost:" + server.port() + ask.getKey()))
          .header("Accept", ask.getValue()).build(), HttpResponse.BodyHandlers.ofString());

      assertEquals(200, page.statusCode(), ask.toString());
      assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      List<String> lines = page.body().lines().toList();
      assertTrue(lines.contains("# TYPE contraflow_serve_records_read_total counter"), page.body());
      assertTrue(lines.contains("contraflow_serve_records_read_total 7"), page.body());
      assertTrue(lines.contains("contraflow_serve_store_size 6"), page.body());
      assertTrue(lines.contains("contraflow_serve_up 1"), page.body());
    }
  }

  @Test
  void metricsStayJsonForJsonClients() throws Exception {
    HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://localhost:" + server.port() + "/metrics"))
        .header("Accept", "application/json, text/plain, */*").build(),
        HttpResponse.BodyHandlers.ofString());

    assertTrue(page.body().startsWith("{"), page.body());
  }

  @Test
  void notServingYetIs503() throws Exception {
    instances.serving = false;
    try {
      assertEquals(503, call("GET", "/health", null).status());
    } finally {
      instances.serving = true;
    }
  }

  @Test
  void storesUnavailableDuringARebalanceAre503NotA500() throws Exception {
    LocalTable rebalancing = TableDriver.lookups((key, asOf) -> {
      throw new InvalidStateStoreException("store is migrating");
    }, () -> new InvalidStateStoreException("store is migrating"));
    try (EmbeddingServer other = EmbeddingServer.start(EmbeddingServer.bind(0),
        HttpOptions.defaults(), rebalancing, instances, table.counters,
        OneOfTwoInstances.emptyOther())) {
      Reply reply = new ServeClient(other.port()).get("/models/moco/embeddings/cat");
      assertEquals(503, reply.status());
      assertTrue(reply.body().get("error").asText().contains("store is migrating"));
    }
  }

  static Stream<Arguments> badRequests() {
    String search = "/models/moco/search";
    return Stream.of(
        Arguments.of("POST", search, "{", 400, "malformed JSON"),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0]} x", 400, "malformed JSON"),
        Arguments.of("POST", search, "", 400, "must be a JSON object"),
        Arguments.of("POST", search, "[1, 0, 0]", 400, "must be a JSON object"),
        Arguments.of("POST", search, "{\"k\": 3}", 400, "exactly one of"),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0], \"id\": \"cat\"}", 400,
            "exactly one of"),
        Arguments.of("POST", search, "{\"vector\": []}", 400, "non-empty array"),
        Arguments.of("POST", search, "{\"vector\": [1, \"a\", 0]}", 400,
            "\"vector\"[1] = \"a\" is not a finite float"),
        Arguments.of("POST", search, "{\"vector\": [1e39, 0, 0]}", 400, "not a finite float"),
        Arguments.of("POST", search, "{\"vector\": [0, 0, 0]}", 400, "all zeros"),
        Arguments.of("POST", search, "{\"vector\": [1, 0]}", 400,
            "the query vector has 2 dimensions but model moco version 2 embeddings have 3"),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0], \"k\": 0}", 400,
            "\"k\" = 0 is out of range: use 1..1000"),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0], \"k\": 1001}", 400, "out of range"),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0], \"k\": \"ten\"}", 400,
            "out of range"),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0], \"k\": 2.5}", 400, "out of range"),
        Arguments.of("POST", search, "{\"id\": 5}", 400, "\"id\" must be a non-empty string"),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0], \"top\": 3}", 400,
            "unknown field \"top\""),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0], \"version\": 1, "
            + "\"mixVersions\": true}", 400, "not both"),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0], \"version\": -1}", 400,
            "\"version\" = -1 is invalid"),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0], \"mixVersions\": \"yes\"}", 400,
            "\"mixVersions\" must be true or false"),
        Arguments.of("POST", search, "{\"id\": \"cat\", \"version\": 1}", 400,
            "id cat has model version 2 here, not 1"),
        Arguments.of("POST", search, "{\"id\": \"nobody\"}", 404,
            "no embedding of model moco for id nobody"),
        Arguments.of("POST", search, "{\"vector\": [1, 0, 0], \"version\": 9}", 404,
            "no embeddings of model moco at version 9 in any instance's partitions"),
        Arguments.of("POST", "/models/nomodel/search", "{\"vector\": [1]}", 404,
            "no embeddings of model nomodel"),
        Arguments.of("POST", search, "{\"vector\": [" + "0.5, ".repeat(1 << 20) + "1]}", 413,
            "request body over"),
        Arguments.of("GET", "/models/moco/embeddings/nobody", null, 404,
            "no embedding of model moco for id nobody"),
        Arguments.of("GET", "/models/moco/embeddings/cat?asOf=500", null, 404,
            "as of 1970-01-01T00:00:00.500Z"),
        Arguments.of("GET", "/models/moco/embeddings/cat?asOf=yesterday", null, 400,
            "asOf = yesterday is invalid: give epoch milliseconds"),
        Arguments.of("GET", "/models/moco/embeddings/cat?when=1", null, 400,
            "unknown query parameter \"when=1\""),
        Arguments.of("GET", "/models/moco/embeddings", null, 404, "no such endpoint"),
        Arguments.of("GET", "/", null, 404, "no such endpoint"),
        Arguments.of("DELETE", "/models/moco/embeddings/cat", null, 405,
            "DELETE is not allowed here: use GET"),
        Arguments.of("GET", search, null, 405, "GET is not allowed here: use POST"),
        Arguments.of("POST", "/health", "{}", 405, "use GET"));
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @MethodSource("badRequests")
  void everyBadRequestGetsA4xxWithAMessage(String method, String path, String body, int status,
      String message) throws Exception {
    Reply reply = call(method, path, body);
    assertEquals(status, reply.status(), reply.body().toString());
    assertEquals(status, reply.body().get("status").asInt());
    String error = reply.body().get("error").asText();
    assertTrue(error.contains(message), error);
  }

  // --- helpers

  private JsonNode search(String body) throws Exception {
    return call("POST", "/models/moco/search", body).ok();
  }

  private Reply call(String method, String path, String body) throws Exception {
    return new ServeClient(server.port()).send(method, path, body);
  }

  private static List<Double> numbers(JsonNode array) {
    List<Double> values = new ArrayList<>();
    array.forEach(x -> values.add(x.asDouble()));
    return values;
  }
}
