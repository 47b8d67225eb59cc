package dev.contraflow.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** What a caller of `contraflow serve` does: JSON requests over HTTP to one instance. */
final class ServeClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A status and a JSON body. */
  record Reply(int status, JsonNode body) {

    JsonNode ok() {
      assertEquals(200, status, body.toString());
      return body;
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private final int port;

  ServeClient(int port) {
    this.port = port;
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  /** {@code body} null sends none. */
  Reply send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), JSON.readTree(response.body()));
  }

  /** The ids of a search answer, best first. */
  static List<String> ids(JsonNode found) {
    List<String> ids = new ArrayList<>();
    found.get("results").forEach(hit -> ids.add(hit.get("id").asText()));
    return ids;
  }
}
