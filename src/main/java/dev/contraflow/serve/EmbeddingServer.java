package dev.contraflow.serve;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table over HTTP (JDK server, JSON bodies): routing, request parsing and responses, with the
 * answers from {@link TableQueries}. Every answer is JSON; every request the table cannot answer
 * gets a 4xx with {@code {"status": ..., "error": "..."}}, and 503 while Kafka
 * Streams is starting or rebalancing.
 *
 * <p>Locked down by {@link HttpOptions}: lookups and searches run on a bounded pool of {@link
 * RequestWorkers} with a deadline, requests are read and answered on separate connection threads
 * (a slow client holds one of those, never a worker), {@code /health} is answered on the
 * connection thread and needs no token, every other request needs the {@link BearerToken} when
 * one is set, and an unexpected failure is logged under a request id that is all the client sees.
 *
 * <pre>
 * GET  /models/{modelId}/embeddings/{id}[?asOf=epochMillis | ?version=N]
 * GET  /models/{modelId}      versions held, counts, states, the current one
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
      "GET /models/{modelId}/embeddings/{id}[?asOf=epochMillis|?version=N], GET /models/{modelId},"
          + " POST /models/{modelId}/search,"
          + " GET /health, GET /metrics, GET /instances";

  private final HttpServer http;
  private final ThreadPoolExecutor connections;
  private final RequestWorkers workers;
  private final BearerToken token;
  private final ObjectMapper json =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final TableQueries queries;
  private final FanOutSearch fanOut;

  private EmbeddingServer(HttpServer http, HttpOptions options, LocalTable table,
      Instances instances, TableCounters counters, Peers peers) throws IOException {
    this.http = http;
    this.queries = new TableQueries(table, instances, counters, json);
    this.token = BearerToken.of(options);
    this.fanOut = new FanOutSearch(instances,
        peers != null ? peers : new HttpPeers(options, token, json), table.catalog(), json);
    this.workers = new RequestWorkers(options.workers(), options.queue(),
        options.requestTimeout());
    this.connections = new ThreadPoolExecutor(options.connections(), options.connections(), 30,
        TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        RequestWorkers.daemonThreads("serve-http-"));
    this.connections.allowCoreThreadTimeOut(true);
  }

  /** Binds the port on the loopback interface over plain HTTP: {@link HttpOptions#defaults()}. */
  public static HttpServer bind(int port) throws IOException {
    return bind(HttpOptions.defaults(), port);
  }

  /**
   * Binds the port on {@code options.bindAddress()}, with TLS when it has a keystore, without
   * serving yet: with port 0 only the bound socket knows the port, and Kafka Streams must
   * advertise it before the table exists.
   */
  public static HttpServer bind(HttpOptions options, int port) throws IOException {
    InetSocketAddress address = new InetSocketAddress(options.bindAddress(), port);
    if (address.isUnresolved()) {
      throw new IOException("--bind = " + options.bindAddress() + " does not resolve: give an"
          + " interface address, e.g. 127.0.0.1 or 0.0.0.0");
    }
    try {
      if (!options.tls()) {
        return HttpServer.create(address, 0);
      }
      HttpsServer https = HttpsServer.create(address, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(
          TlsKeystore.context(options.tlsKeystore(), options.tlsPasswordFile())));
      return https;
    } catch (BindException e) {
      throw new IOException("cannot listen on " + options.bindAddress() + ":" + port + " ("
          + e.getMessage() + "): choose another --port (0 for a free one) or --bind", e);
    }
  }

  /** Serves the table with the default limits and no token until {@link #close()}. */
  public static EmbeddingServer start(HttpServer bound, LocalTable table, Instances instances,
      TableCounters counters) throws IOException {
    return start(bound, HttpOptions.defaults(), table, instances, counters);
  }

  /** Serves the table on a bound server until {@link #close()}. */
  public static EmbeddingServer start(HttpServer bound, HttpOptions options, LocalTable table,
      Instances instances, TableCounters counters) throws IOException {
    return start(bound, options, table, instances, counters, null);
  }

  /** As above, asking the other instances through {@code peers} (null: over HTTP). */
  static EmbeddingServer start(HttpServer bound, HttpOptions options, LocalTable table,
      Instances instances, TableCounters counters, Peers peers) throws IOException {
    EmbeddingServer server =
        new EmbeddingServer(bound, options, table, instances, counters, peers);
    bound.createContext("/", server::handle);
    bound.setExecutor(server.connections);
    bound.start();
    return server;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
    workers.close();
    connections.shutdown();
    try {
      connections.awaitTermination(5, TimeUnit.SECONDS);
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
      authorize(exchange);
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
      // The exception's text may hold paths, keys or vectors: the client gets an id to quote.
      String requestId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
      LOG.error("request {}: {} {} failed", requestId, exchange.getRequestMethod(),
          exchange.getRequestURI().getRawPath(), e);
      response = problem(500, "internal error: the server's log has the details under request id "
          + requestId);
      response.body().put("requestId", requestId);
    }
    send(exchange, response);
  }

  /** With a token set, every request but {@code /health} carries it. */
  private void authorize(HttpExchange exchange) {
    if (token == null || exchange.getRequestURI().getRawPath().equals("/health")) {
      return;
    }
    if (!token.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
      throw HttpProblem.unauthorized("missing or wrong bearer token: send "
          + "\"Authorization: Bearer <the token of --auth-token-file>\"");
    }
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
    if (path.size() == 2 && path.get(0).equals("models")) {
      requireMethod(method, "GET");
      String modelId = path.get(1);
      FanOutSearch.LocalPart local = localPart(modelId, exchange.getRequestURI().getRawPath());
      return ok(localOnly(exchange.getRequestURI().getRawQuery()) ? local.heldVersions()
          : fanOut.model(modelId, local));
    }
    if (path.size() == 4 && path.get(0).equals("models") && path.get(2).equals("embeddings")) {
      requireMethod(method, "GET");
      EmbeddingKey key = new EmbeddingKey(path.get(1), path.get(3));
      RowAt at = rowAt(exchange.getRequestURI().getRawQuery());
      String rawPath = exchange.getRequestURI().getRawPath();
      return ok(work(() -> at.version() != null
          ? queries.embeddingAt(key, at.version(), rawPath)
          : queries.embedding(key, at.asOf(), rawPath)));
    }
    if (path.size() == 3 && path.get(0).equals("models") && path.get(2).equals("search")) {
      requireMethod(method, "POST");
      // the body is read here, on the connection thread: a slow sender holds no worker
      SearchRequest request = SearchRequest.parse(body(exchange), json);
      String rawPath = exchange.getRequestURI().getRawPath();
      String modelId = path.get(1);
      return ok(fanOut.search(modelId, request, localPart(modelId, rawPath)));
    }
    throw HttpProblem.notFound("no such endpoint: " + method + " "
        + exchange.getRequestURI().getRawPath() + "; endpoints: " + ENDPOINTS);
  }

  /** This instance's part of a fan-out, each piece run on the bounded workers. */
  private FanOutSearch.LocalPart localPart(String modelId, String rawPath) {
    return new FanOutSearch.LocalPart() {
      @Override
      public ObjectNode search(SearchRequest localRequest) {
        return work(() -> queries.search(modelId, localRequest, rawPath));
      }

      @Override
      public ObjectNode row(EmbeddingKey key, Long version) {
        return work(() -> version == null ? queries.embedding(key, null, rawPath)
            : queries.embeddingAt(key, version, rawPath));
      }

      @Override
      public ObjectNode heldVersions() {
        return work(() -> queries.heldVersions(modelId));
      }
    };
  }

  /** {@code ?local=true}: this instance's partitions only (what a peer asks in a fan-out). */
  private static boolean localOnly(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty() || rawQuery.equals("local=false")) {
      return false;
    }
    if (rawQuery.equals("local=true")) {
      return true;
    }
    throw HttpProblem.badRequest("unknown query \"" + rawQuery
        + "\": the only parameter is local=true (this instance's partitions only)");
  }

  /**
   * Runs table work on the bounded pool. A fan-out search waits for the other instances here, on
   * the connection thread, and only its local scan takes a worker: two instances whose workers
   * waited on each other would deadlock until the deadline.
   */
  private <T> T work(Callable<T> answer) {
    try {
      return workers.call(answer);
    } catch (CancellationException e) {
      throw HttpProblem.busy("the request was cancelled at its deadline");
    }
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

  /** Which row of a key a GET asks for: now, as of a time, or of a model version. */
  private record RowAt(Instant asOf, Long version) {
  }

  private static RowAt rowAt(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return new RowAt(null, null);
    }
    Instant asOf = null;
    Long version = null;
    for (String param : rawQuery.split("&")) {
      int eq = param.indexOf('=');
      String name = eq < 0 ? param : param.substring(0, eq);
      if (!(name.equals("asOf") || name.equals("version")) || eq < 0) {
        throw HttpProblem.badRequest("unknown query parameter \"" + param
            + "\": use asOf=<epoch milliseconds> or version=<model version>");
      }
      String value = param.substring(eq + 1);
      try {
        if (name.equals("asOf")) {
          asOf = Instant.ofEpochMilli(Long.parseLong(value));
        } else {
          version = Long.parseLong(value);
        }
      } catch (NumberFormatException e) {
        throw HttpProblem.badRequest(name + " = " + value + " is invalid: give "
            + (name.equals("asOf") ? "epoch milliseconds, e.g. 1714564800000"
                : "a model version, e.g. 400"));
      }
    }
    if (asOf != null && version != null) {
      throw HttpProblem.badRequest("give asOf or version, not both");
    }
    return new RowAt(asOf, version);
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
      if (response.status() == 401) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"contraflow\"");
      }
      if (response.body() != null && response.body().has("retryAfter")) {
        exchange.getResponseHeaders().set("Retry-After",
            response.body().path("retryAfter").asText());
      }
      exchange.sendResponseHeaders(response.status(), bytes.length);
      exchange.getResponseBody().write(bytes);
    } catch (IOException e) {
      LOG.debug("could not answer {} {}: {}", exchange.getRequestMethod(),
          exchange.getRequestURI(), e.toString());
    }
  }
}
