package dev.contraflow.serve;

import static dev.contraflow.serve.ServeClient.ids;
import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.contraflow.TestKeystores;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real servers of one table, both locked down as production runs them (issue 14): HTTPS
 * from one shared keystore and one bearer token. A search at either answers over both partitions:
 * each asks the other over HTTPS with the token. A: east (1,0), north (0,1) in partition 0;
 * B: ne (0.8,0.6), west (-1,0) in partition 1; all of model "m" version 2.
 */
class SecuredFanOutTest {

  private static final String TOKEN = "shared-token-0123456789abcdef";

  @Test
  void eachInstanceAsksTheOtherOverHttpsWithTheSharedToken(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("serve.p12");
    TestKeystores.selfSigned(keystore, "keystore-password");
    Path password = Files.writeString(dir.resolve("password"), "keystore-password\n");
    HttpOptions options = HttpOptions.defaults().withTls(keystore, password)
        .withAuthTokenFile(Files.writeString(dir.resolve("token"), TOKEN + "\n"));
    HttpServer boundA = EmbeddingServer.bind(options, 0);
    HttpServer boundB = EmbeddingServer.bind(options, 0);
    int portA = boundA.getAddress().getPort();
    int portB = boundB.getAddress().getPort();

    try (TableDriver a = new TableDriver(dir.resolve("a"));
        TableDriver b = new TableDriver(dir.resolve("b"))) {
      a.pipe(embedding("m", "east", 2, 1, 0), 1_000);
      a.pipe(embedding("m", "north", 2, 0, 1), 1_000);
      b.pipe(embedding("m", "ne", 2, 0.8f, 0.6f), 1_000);
      b.pipe(embedding("m", "west", 2, -1, 0), 1_000);
      try (EmbeddingServer serverA = EmbeddingServer.start(boundA, options, a.table(),
              new FixedInstances(List.of(portA, portB), 0), a.counters);
          EmbeddingServer serverB = EmbeddingServer.start(boundB, options, b.table(),
              new FixedInstances(List.of(portA, portB), 1), b.counters)) {
        SSLContext trusting = TlsKeystore.context(keystore, password);
        HttpClient https = HttpClient.newBuilder().sslContext(trusting).build();
        for (int port : List.of(portA, portB)) {
          ServeClient client = new ServeClient(URI.create("https://127.0.0.1:" + port), https,
              "Bearer " + TOKEN);
          JsonNode found = client.send("POST", "/models/m/search",
              "{\"vector\": [1, 0], \"k\": 3}").ok();
          assertEquals(List.of("east", "ne", "north"), ids(found), "asked at " + port);
          assertFalse(found.get("partial").asBoolean(), found.toString());

          ServeClient wrongToken = client.withAuthorization("Bearer not-the-token-0123456789");
          assertEquals(401, wrongToken.send("POST", "/models/m/search",
              "{\"vector\": [1, 0]}").status());
        }
      }
    }
  }
}
