package dev.contraflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.EmbeddedKafka;
import dev.contraflow.serve.EmbeddingTable;
import dev.contraflow.serve.HttpOptions;
import dev.contraflow.serve.ServeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code demo --serve}: after the summary the demo's broker stays up and the embedding table
 * ({@code contraflow serve}) serves the demo's embeddings topic over HTTP. Once a search answers,
 * the demo prints the {@code curl} that asked it; the first SIGINT or SIGTERM closes the server,
 * then the broker.
 *
 * @param port the HTTP port (0: a free one)
 * @param stopSignals installs the stop request (SIGINT/SIGTERM) when serving starts: not before,
 *     so a Ctrl-C during the demo's run still ends it at once
 * @param timeout how long the table may take to answer its first search
 */
record DemoServe(int port, Supplier<CompletableFuture<String>> stopSignals, Duration timeout) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Serves until a stop is asked for; the broker is closed by the caller afterwards.
   *
   * @param ids how many image ids the demo embedded: the curl is printed once its search ranks
   *     them all (the table has read the whole topic), not at its first answer
   */
  void serve(EmbeddedKafka kafka, JobConfig job, Path work, long ids, PrintWriter out)
      throws Exception {
    CompletableFuture<String> stop = stopSignals.get();
    ServeConfig config = new ServeConfig(kafka.bootstrapServers(), job.topics().embeddings(),
        port, "localhost", work.resolve("serve"), "contraflow-demo-serve",
        ServeConfig.DEFAULT_HISTORY_RETENTION, null, Map.of(), 0, HttpOptions.defaults())
        .withCheckpoints(job.topics().checkpoints(), ServeConfig.DEFAULT_KEEP_VERSIONS);
    try (EmbeddingTable table = EmbeddingTable.start(config,
        line -> System.err.println("demo: serve: " + line))) {
      String url = "http://localhost:" + table.port() + "/models/" + job.model().defaultId()
          + "/search";
      // every version of the demo's stream: the demo stops its job without draining it, so the
      // newest complete version may predate the last images (GET /models/{id} lists versions)
      String body = "{\"id\": \"0\", \"k\": 5, \"mixVersions\": true}";
      awaitAnswer(url, body, ids - 1); // a search by id leaves the query's own id out
      out.printf("%ndemo: serving the demo's embeddings at http://localhost:%d (Kafka at %s);"
          + " search them with%n  curl -s -X POST %s -d '%s'%nCtrl-C stops the server and the"
          + " broker.%n", table.port(), kafka.bootstrapServers(), url, body);
      out.flush();
      String signal = stop.get();
      System.err.println("demo: " + signal + ": stopping the server and the broker");
    }
  }

  /** Waits until the table has read the topic far enough that the search ranks {@code ranked}. */
  private void awaitAnswer(String url, String body, long ranked) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest search = HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = http.send(search, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && JSON.readTree(r.body()).path("ranked").asLong() >= ranked) {
          return;
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the embedding table did not answer " + body + " at " + url
        + " within " + timeout + ": " + last);
  }
}
