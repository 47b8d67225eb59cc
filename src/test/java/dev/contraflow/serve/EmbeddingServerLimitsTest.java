package dev.contraflow.serve;

import static dev.contraflow.serve.TableDriver.embedding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.serve.ServeClient.Reply;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's guards against clients that are slow, too many or unlucky (issue 14): slow
 * senders hold connection threads but no worker and never starve {@code /health}; a full pool
 * answers 503 at once; a request past its deadline answers 503; a failure shows the client an id,
 * not the exception; the default bind is loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingServerLimitsTest {

  private static final String SEARCH = "{\"vector\": [1, 0], \"k\": 1}";

  private TableDriver table;
  private final OneOfTwoInstances instances = new OneOfTwoInstances();

  @BeforeAll
  void fill(@TempDir Path stateDir) {
    table = new TableDriver(stateDir);
    table.pipe(embedding("m", "east", 1, 1, 0), 1_000);
    table.pipe(embedding("m", "north", 1, 0, 1), 1_000);
  }

  @AfterAll
  void close() {
    table.close();
  }

  @Test
  void clientsStalledMidRequestStarveNeitherHealthNorSearch() throws Exception {
    HttpOptions options = HttpOptions.defaults().withLimits(2, 4, Duration.ofSeconds(30), 16);
    List<Socket> stalled = new ArrayList<>();
    try (EmbeddingServer server = start(options, table.table())) {
      for (int i = 0; i < 6; i++) { // headers never finished
        stalled.add(stall(server.port(), "GET /models/m/embeddings/east HTTP/1.1\r\nHost: x\r\n"));
      }
      for (int i = 0; i < 6; i++) { // a body announced, never sent
        stalled.add(stall(server.port(), "POST /models/m/search HTTP/1.1\r\nHost: x\r\n"
            + "Content-Length: 1000\r\n\r\n{\"vector\": ["));
      }
      ServeClient client = new ServeClient(server.port());
      assertEquals(200, client.get("/health").status(), "12 stalled clients starved /health");
      assertEquals("east", client.send("POST", "/models/m/search", SEARCH).ok()
          .at("/results/0/id").asText(), "12 stalled clients held the 2 workers");
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  @Test
  void aFullPoolAnswers503AtOnceWhileHealthStillAnswers() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpOptions options = HttpOptions.defaults().withLimits(1, 1, Duration.ofSeconds(60), 8);
    try (EmbeddingServer server = start(options, blocking(entered, release))) {
      ServeClient client = new ServeClient(server.port());
      CompletableFuture<Reply> running = async(client, "/models/m/embeddings/east");
      assertTrue(entered.await(20, TimeUnit.SECONDS), "the first lookup never reached a worker");
      // one more waits in the queue of 1; the other two are refused without waiting
      List<CompletableFuture<Reply>> more = List.of(async(client, "/models/m/embeddings/north"),
          async(client, "/models/m/embeddings/north"), async(client, "/models/m/embeddings/east"));
      CompletableFuture.anyOf(more.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
      await(() -> more.stream().filter(CompletableFuture::isDone).count() == 2);
      List<Reply> refused = more.stream().filter(CompletableFuture::isDone)
          .map(CompletableFuture::join).toList();
      for (Reply reply : refused) {
        assertEquals(503, reply.status(), reply.body().toString());
        assertTrue(reply.body().get("error").asText().contains("queue is full"),
            reply.body().toString());
        assertEquals("1", reply.headers().firstValue("Retry-After").orElse(null));
      }
      assertEquals(200, client.get("/health").status());
      CompletableFuture<Reply> queued = more.stream().filter(f -> !f.isDone()).findFirst()
          .orElseThrow();

      release.countDown();
      assertEquals(200, running.get(20, TimeUnit.SECONDS).status());
      assertEquals(200, queued.get(20, TimeUnit.SECONDS).status());
    }
  }

  @Test
  void aRequestPastItsDeadlineIs503AndFreesItsWorker() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HttpOptions options = HttpOptions.defaults().withLimits(1, 1, Duration.ofMillis(300), 8);
    try (EmbeddingServer server = start(options, blocking(new CountDownLatch(1), release))) {
      Reply late = new ServeClient(server.port()).get("/models/m/embeddings/east");
      assertEquals(503, late.status());
      assertTrue(late.body().get("error").asText().contains("within the request timeout of"
          + " PT0.3S"), late.body().toString());
    } finally {
      release.countDown();
    }
  }

  @Test
  void anInternalErrorShowsTheClientARequestIdButNotTheException() throws Exception {
    LocalTable broken = TableDriver.lookups((key, asOf) -> {
      throw new IllegalStateException("secret-detail at /var/lib/state");
    }, () -> new IllegalStateException("secret-detail at /var/lib/state"));
    try (EmbeddingServer server = start(HttpOptions.defaults(), broken)) {
      Reply reply = new ServeClient(server.port()).get("/models/m/embeddings/east");
      assertEquals(500, reply.status());
      assertFalse(reply.body().toString().contains("secret-detail"), reply.body().toString());
      assertFalse(reply.body().toString().contains("IllegalStateException"));
      String id = reply.body().get("requestId").asText();
      assertTrue(id.matches("[0-9a-f]{16}"), id);
      assertTrue(reply.body().get("error").asText().contains(id));
    }
  }

  @Test
  void bindsTheLoopbackInterfaceUnlessToldOtherwise() throws Exception {
    var loopback = EmbeddingServer.bind(0);
    var everywhere = EmbeddingServer.bind(new HttpOptions("0.0.0.0", 1, 1, Duration.ofSeconds(1),
        2, null, null, null), 0);
    try {
      assertTrue(loopback.getAddress().getAddress().isLoopbackAddress());
      assertTrue(everywhere.getAddress().getAddress().isAnyLocalAddress());
    } finally {
      loopback.stop(0);
      everywhere.stop(0);
    }
  }

  // --- helpers

  private EmbeddingServer start(HttpOptions options, LocalTable local) throws IOException {
    return EmbeddingServer.start(EmbeddingServer.bind(options, 0), options, local, instances,
        table.counters, OneOfTwoInstances.emptyOther());
  }

  /** The table, whose lookups wait for {@code release} after counting down {@code entered}. */
  private LocalTable blocking(CountDownLatch entered, CountDownLatch release) {
    LocalTable real = table.table();
    return TableDriver.lookups((key, asOf) -> {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted at the deadline", e);
      }
      return real.get(key, asOf);
    }, () -> new UnsupportedOperationException("lookups only"));
  }

  /** A client that sent {@code partial} and then nothing more. */
  private static Socket stall(int port, String partial) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    OutputStream out = socket.getOutputStream();
    out.write(partial.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  private static CompletableFuture<Reply> async(ServeClient client, String path) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return client.get(path);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Waits up to 20 s for a condition that needs no request to check. */
  private static void await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "the condition never held");
      Thread.sleep(20);
    }
  }
}
