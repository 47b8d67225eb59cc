package dev.contraflow.serve;

import static dev.contraflow.serve.ServeClient.ids;
import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real servers of one table, asking each other over HTTP (issue 14's fan-out with three
 * instances, one stopped mid-test). Instance i holds partition i: 0 east (1,0), 1 ne (0.8,0.6),
 * 2 north (0,1); all of model "m" version 2.
 */
class ThreeInstancesTest {

  @Test
  void aSearchMergesAllThreeAndOneStoppedMidTestMakesItPartialNamingItsPartition(
      @TempDir Path dir) throws Exception {
    List<HttpServer> bound = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      bound.add(EmbeddingServer.bind(0));
      ports.add(bound.get(i).getAddress().getPort());
    }
    float[][] vectors = {{1, 0}, {0.8f, 0.6f}, {0, 1}};
    String[] names = {"east", "ne", "north"};
    List<TableDriver> tables = new ArrayList<>();
    List<EmbeddingServer> servers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        TableDriver table = new TableDriver(dir.resolve("instance-" + i));
        tables.add(table);
        table.pipe(embedding("m", names[i], 2, vectors[i]), 1_000);
        servers.add(EmbeddingServer.start(bound.get(i), HttpOptions.defaults(), table.table(),
            new FixedInstances(ports, i), table.counters));
      }
      ServeClient first = new ServeClient(ports.get(0));

      JsonNode whole = first.send("POST", "/models/m/search", "{\"vector\": [1, 0], \"k\": 3}")
          .ok();
      assertEquals(List.of("east", "ne", "north"), ids(whole));
      assertFalse(whole.get("partial").asBoolean());
      assertEquals(List.of(0, 1, 2), ints(whole.get("partitions")));

      servers.remove(1).close(); // instance 1 stops answering mid-test

      JsonNode partial = new ServeClient(ports.get(2)).send("POST", "/models/m/search",
          "{\"vector\": [1, 0], \"k\": 3}").ok();
      assertEquals(List.of("east", "north"), ids(partial), "the best of what answered");
      assertTrue(partial.get("partial").asBoolean());
      assertEquals(List.of(0, 2), ints(partial.get("partitions")));
      assertEquals(List.of(1), ints(partial.get("missingPartitions")));
      assertEquals("127.0.0.1:" + ports.get(1), partial.at("/missing/0/instance").asText());
    } finally {
      servers.forEach(EmbeddingServer::close);
      tables.forEach(TableDriver::close);
    }
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> values = new ArrayList<>();
    array.forEach(x -> values.add(x.asInt()));
    return values;
  }
}
