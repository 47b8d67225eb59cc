package dev.contraflow.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What a caller of `contraflow serve` does: JSON requests over HTTP to one instance. */
public final class ServeClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A status and a JSON body. */
  public record Reply(int status, JsonNode body, HttpHeaders headers) {

    public JsonNode ok() {
      assertEquals(200, status, body.toString());
      return body;
    }
  }

  /** Long enough for any answer here; a server that never answers fails the test, not hangs it. */
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final HttpClient http;
  private final URI base;
  private final String authorization;

  public ServeClient(int port) {
    this(URI.create("http://127.0.0.1:" + port), HttpClient.newHttpClient(), null);
  }

  /** @param authorization the Authorization header's value, or null for none */
  ServeClient(URI base, HttpClient http, String authorization) {
    this.base = base;
    this.http = http;
    this.authorization = authorization;
  }

  ServeClient withAuthorization(String authorization) {
    return new ServeClient(base, http, authorization);
  }

  public Reply get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  /** {@code body} null sends none. */
  public Reply send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(PATIENCE)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), JSON.readTree(response.body()), response.headers());
  }

  /** The ids of a search answer, best first. */
  public static List<String> ids(JsonNode found) {
    List<String> ids = new ArrayList<>();
    found.get("results").forEach(hit -> ids.add(hit.get("id").asText()));
    return ids;
  }
}
