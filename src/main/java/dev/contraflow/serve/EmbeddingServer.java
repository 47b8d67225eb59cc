package dev.contraflow.serve;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table over HTTP (JDK server, JSON bodies): routing, request parsing and responses, with the
 * answers from {@link TableQueries}. Every answer is JSON; every request the table cannot answer
 * gets a 4xx with {@code {"status": ..., "error": "..."}}, and 503 while Kafka
 * Streams is starting or rebalancing.
 *
 * <pre>
 * GET  /models/{modelId}/embeddings/{id}[?asOf=epochMillis]
 * POST /models/{modelId}/search
 *      {"vector": [...] | "id": "...", "k": 10, "version": N | "mixVersions": true}
 * GET  /health   GET /metrics   GET /instances
 * </pre>
 *
 * <p>{@code GET /metrics} answers in Prometheus' text format instead when asked for it, with
 * {@code ?format=prometheus} or an {@code Accept} header that prefers {@code text/plain} (as a
 * Prometheus server's does).
 */
public final class EmbeddingServer implements AutoCloseable {

  static final int MAX_BODY_BYTES = 4 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingServer.class);
  private static final String ENDPOINTS =
      "GET /models/{modelId}/embeddings/{id}[?asOf=epochMillis], POST /models/{modelId}/search,"
          + " GET /health, GET /metrics, GET /instances";

  private final HttpServer http;
  private final ExecutorService executor;
  private final ObjectMapper json =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final TableQueries queries;

  private EmbeddingServer(HttpServer http, LocalTable table, Instances instances,
      TableCounters counters) {
    this.http = http;
    this.queries = new TableQueries(table, instances, counters, json);
    this.executor = Executors.newFixedThreadPool(4, daemonThreads());
  }

  /**
   * Binds the port on every interface, without serving yet: with port 0 only the bound socket
   * knows the port, and Kafka Streams must advertise it before the table exists.
   */
  public static HttpServer bind(int port) throws IOException {
    try {
      return HttpServer.create(new InetSocketAddress(port), 0);
    } catch (BindException e) {
      throw new IOException("cannot listen on port " + port + " (" + e.getMessage()
          + "): choose another --port, or 0 for a free one", e);
    }
  }

  /** Serves the table on a bound server until {@link #close()}. */
  public static EmbeddingServer start(HttpServer bound, LocalTable table, Instances instances,
      TableCounters counters) {
    EmbeddingServer server = new EmbeddingServer(bound, table, instances, counters);
    bound.createContext("/", server::handle);
    bound.setExecutor(server.executor);
    bound.start();
    return server;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A JSON answer, or a plain-text one when {@code text} is not null. */
  private record Response(int status, ObjectNode body, String text) {

    Response(int status, ObjectNode body) {
      this(status, body, null);
    }
  }

  private void handle(HttpExchange exchange) {
    Response response;
    try {
      response = route(exchange);
    } catch (HttpProblem p) {
      response = problem(p.status, p.getMessage());
      p.details.forEach(response.body()::put);
    } catch (InvalidStateStoreException e) {
      response = problem(503, "the table cannot answer yet (" + queries.state() + "): "
          + e.getMessage());
    } catch (IOException e) {
      LOG.debug("could not read {} {}: {}", exchange.getRequestMethod(),
          exchange.getRequestURI(), e.toString());
      exchange.close();
      return;
    } catch (RuntimeException e) {
      LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
      response = problem(500, "internal error: " + e);
    }
    send(exchange, response);
  }

  private Response route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    List<String> path = segments(exchange.getRequestURI().getRawPath());
    if (path.size() == 1 && List.of("health", "metrics", "instances").contains(path.get(0))) {
      requireMethod(method, "GET");
      return switch (path.get(0)) {
        case "health" -> new Response(queries.serving() ? 200 : 503, queries.health());
        case "metrics" -> wantsPrometheus(exchange)
            ? new Response(200, null, queries.prometheusMetrics()) : ok(queries.metrics());
        default -> ok(queries.instancesBody());
      };
    }
    if (path.size() == 4 && path.get(0).equals("models") && path.get(2).equals("embeddings")) {
      requireMethod(method, "GET");
      return ok(queries.embedding(new EmbeddingKey(path.get(1), path.get(3)),
          asOf(exchange.getRequestURI().getRawQuery()), exchange.getRequestURI().getRawPath()));
    }
    if (path.size() == 3 && path.get(0).equals("models") && path.get(2).equals("search")) {
      requireMethod(method, "POST");
      return ok(queries.search(path.get(1), SearchRequest.parse(body(exchange), json),
          exchange.getRequestURI().getRawPath()));
    }
    throw HttpProblem.notFound("no such endpoint: " + method + " "
        + exchange.getRequestURI().getRawPath() + "; endpoints: " + ENDPOINTS);
  }

  // --- request parts

  /** {@code ?format=prometheus}, or an Accept header that puts text/plain before JSON. */
  static boolean wantsPrometheus(HttpExchange exchange) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query != null) {
      for (String param : query.split("&")) {
        if (param.equals("format=prometheus")) {
          return true;
        }
        if (param.startsWith("format=") && !param.equals("format=json")) {
          throw HttpProblem.badRequest("unknown " + param + ": use format=json (the default) or"
              + " format=prometheus");
        }
      }
    }
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    if (accept == null) {
      return false;
    }
    int text = accept.indexOf("text/plain");
    int json = accept.indexOf("application/json");
    return text >= 0 && (json < 0 || text < json);
  }

  private static Instant asOf(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return null;
    }
    Instant asOf = null;
    for (String param : rawQuery.split("&")) {
      int eq = param.indexOf('=');
      String name = eq < 0 ? param : param.substring(0, eq);
      if (!name.equals("asOf") || eq < 0) {
        throw HttpProblem.badRequest("unknown query parameter \"" + param
            + "\": the only one is asOf=<epoch milliseconds>");
      }
      String value = param.substring(eq + 1);
      try {
        asOf = Instant.ofEpochMilli(Long.parseLong(value));
      } catch (NumberFormatException e) {
        throw HttpProblem.badRequest("asOf = " + value
            + " is invalid: give epoch milliseconds, e.g. 1714564800000");
      }
    }
    return asOf;
  }

  /** Path segments, each percent-decoded on its own, so an id may hold an encoded '/'. */
  private static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String raw : rawPath.split("/")) {
      if (!raw.isEmpty()) {
        try {
          segments.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw HttpProblem.badRequest("malformed path segment " + raw + ": " + e.getMessage());
        }
      }
    }
    return segments;
  }

  private static byte[] body(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        discard(in, 4L * MAX_BODY_BYTES);
        throw HttpProblem.tooLarge(MAX_BODY_BYTES);
      }
      return body;
    }
  }

  /** Reads on a little, so that a client still sending gets the 413 instead of a reset. */
  private static void discard(InputStream in, long limit) throws IOException {
    byte[] buffer = new byte[1 << 16];
    for (long left = limit; left > 0; ) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        return;
      }
      left -= n;
    }
  }

  private static void requireMethod(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw HttpProblem.methodNotAllowed(method, allowed);
    }
  }

  // --- responses

  private Response ok(ObjectNode body) {
    return new Response(200, body);
  }

  private Response problem(int status, String message) {
    return new Response(status, json.createObjectNode().put("status", status)
        .put("error", message));
  }

  private void send(HttpExchange exchange, Response response) {
    try (exchange) {
      boolean text = response.text() != null;
      byte[] bytes = text ? response.text().getBytes(StandardCharsets.UTF_8)
          : json.writeValueAsBytes(response.body());
      exchange.getResponseHeaders().set("Content-Type",
          text ? PrometheusText.CONTENT_TYPE : "application/json");
      if (response.status() == 405) {
        exchange.getResponseHeaders().set("Allow", response.body().path("allow").asText());
      }
      exchange.sendResponseHeaders(response.status(), bytes.length);
      exchange.getResponseBody().write(bytes);
    } catch (IOException e) {
      LOG.debug("could not answer {} {}: {}", exchange.getRequestMethod(),
          exchange.getRequestURI(), e.toString());
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "serve-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
