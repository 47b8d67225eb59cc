package dev.contraflow.io.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * The two calls of Confluent's REST API that {@link HttpSchemaRegistry} makes, served on
 * loopback from an {@link InMemorySchemaRegistry}, with the requests kept for assertions.
 */
public final class FakeSchemaRegistry implements AutoCloseable {

  /** A request as the fake saw it. */
  record Request(String method, String path, String contentType, String body,
      String authorization) { }

  private static final Pattern SCHEMA_BY_ID = Pattern.compile(".*/schemas/ids/(-?\\d+)");
  private static final Pattern REGISTER = Pattern.compile(".*/subjects/([^/]+)/versions");
  private static final ObjectMapper JSON = new ObjectMapper();

  final InMemorySchemaRegistry store = new InMemorySchemaRegistry();
  final List<Request> requests = new CopyOnWriteArrayList<>();
  /** Answers given instead of the store's, by path: status and JSON body. */
  private final Map<String, Map.Entry<Integer, String>> overrides = new ConcurrentHashMap<>();
  private final HttpServer server;

  public FakeSchemaRegistry() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("no loopback port for the fake registry", e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** From now on, {@code path} is answered with {@code status} and {@code json}. */
  void answer(String path, int status, String json) {
    overrides.put(path, Map.entry(status, json));
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(new Request(exchange.getRequestMethod(), path,
        exchange.getRequestHeaders().getFirst("Content-Type"), body,
        exchange.getRequestHeaders().getFirst("Authorization")));
    Map.Entry<Integer, String> answer = overrides.containsKey(path) ? overrides.get(path)
        : storeAnswer(path, body);
    byte[] json = answer.getValue().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(answer.getKey(), json.length);
    exchange.getResponseBody().write(json);
    exchange.close();
  }

  private Map.Entry<Integer, String> storeAnswer(String path, String body) throws IOException {
    Matcher byId = SCHEMA_BY_ID.matcher(path);
    if (byId.matches()) {
      try {
        Schema schema = store.schemaById(Integer.parseInt(byId.group(1)));
        return Map.entry(200, JSON.createObjectNode().put("schema", schema.toString()).toString());
      } catch (UnknownSchemaIdException e) {
        return Map.entry(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
      }
    }
    Matcher register = REGISTER.matcher(path);
    if (register.matches()) {
      Schema schema = new Schema.Parser().parse(JSON.readTree(body).get("schema").asText());
      return Map.entry(200, "{\"id\":" + store.register(register.group(1), schema) + "}");
    }
    return Map.entry(404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
