package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contraflow.io.image.EncoderInput;
import dev.contraflow.io.image.ImageDecoder;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.job.config.JobConfigOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --serve}: after the summary the broker stays up and the embeddings are served; the
 * curl the demo prints answers with results, and the stop request (what Ctrl-C completes) closes
 * the server and the broker and ends the demo.
 */
@Tag("slow")
class DemoServeTest {

  private static final Pattern CURL =
      Pattern.compile("(curl -s -X POST (\\S+) -d '([^']*)')");

  @Test
  void thePrintedCurlFindsTheDemosEmbeddingsAndAStopEndsEverything(@TempDir Path dir)
      throws Exception {
    Path subset = Path.of(getClass().getResource(
        "/fashion-mnist-subset/train-images-idx3-ubyte.gz").toURI());
    JobConfigOptions options = new JobConfigOptions();
    options.overrides.addAll(List.of("learner.batchSize=8", "learner.encoder.baseWidth=4",
        "learner.encoder.projectionHidden=16", "learner.encoder.projectionDim=8",
        "learner.queueSize=16", "job.checkpointInterval=300ms", "learner.replay.capacity=0",
        "learner.replay.updatesPerBatch=1", "publish.everySteps=2"));
    CompletableFuture<String> stop = new CompletableFuture<>();
    DemoRun demo = new DemoRun(ImageSource.open(subset, 24,
        new ImageDecoder(EncoderInput.of(1, 28, 28))), ImageSource.labelsFor(subset), List.of(),
        false, List.of(), options, dir, Duration.ofMinutes(5), null,
        new DemoServe(0, () -> stop, Duration.ofMinutes(2)));
    StringWriter out = new StringWriter();
    CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
      try {
        demo.run(new PrintWriter(out, true));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    Matcher curl = awaitCurl(out, running);
    JsonNode answer = new ObjectMapper().readTree(search(curl.group(2), curl.group(3)));
    assertEquals(5, answer.get("results").size(), answer.toString());
    assertEquals(23, answer.get("ranked").asInt(), "printed once every demo image but the query"
        + " is ranked: " + answer);
    answer.get("results").forEach(hit -> assertTrue(Integer.parseInt(hit.get("id").asText()) < 24,
        "a demo image: " + hit));
    if (curlInstalled()) { // the line exactly as printed, through a shell
      Process p = new ProcessBuilder("sh", "-c", curl.group(1)).redirectErrorStream(true)
          .start();
      String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), printed);
      assertEquals(5, new ObjectMapper().readTree(printed).get("results").size(), printed);
    }

    stop.complete("SIGINT");
    running.get(60, TimeUnit.SECONDS);
    assertThrows(IOException.class, () -> search(curl.group(2), curl.group(3)),
        "the server is closed");
  }

  private static Matcher awaitCurl(StringWriter out, CompletableFuture<Void> running)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = CURL.matcher(out.toString());
      if (m.find()) {
        return m;
      }
      if (running.isDone()) {
        running.get(); // its failure, if any
        throw new AssertionError("the demo ended without serving:\n" + out);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no curl printed within 5 min:\n" + out);
  }

  private static String search(String url, String body) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static boolean curlInstalled() {
    return Files.isExecutable(Path.of("/usr/bin/curl"));
  }
}
