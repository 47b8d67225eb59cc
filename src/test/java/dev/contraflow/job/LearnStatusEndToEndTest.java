package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contraflow.job.config.JobConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code contraflow learn} as its users run it: a separate process against a broker, status lines
 * on stdout while it learns, and on SIGTERM a savepoint, a summary and exit code 0; with
 * {@code --until} a bounded replay that ends by itself, also with exit code 0 and a summary.
 */
@Tag("slow")
class LearnStatusEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void statusLinesFollowTheJobAndSigtermStopsItWithASavepointAndASummary() throws Exception {
    try (StreamingStack stack = StreamingStack.start(dir)) {
      String[] only = {"topics.sentences=", "topics.pairs=", "publish.everySteps=5"};
      JobConfig config = stack.config("status", only);
      stack.produce(config, StreamingStack.images(240), null);
      Path savepoints = dir.resolve("savepoints");

      Process learn = learn(stack.settings("status", only), "--savepoint-on-stop",
          savepoints.toString());
      try {
        await(() -> jsonLines().stream().anyMatch(LearnStatusEndToEndTest::caughtUp),
            Duration.ofSeconds(180), () -> "no status line with all 240 images read and a model "
                + "published; stdout: " + jsonLines() + "; stderr: " + stderr());
        learn.destroy(); // SIGTERM
        assertTrue(learn.waitFor(120, TimeUnit.SECONDS), "learn did not stop on SIGTERM");
      } finally {
        learn.destroyForcibly();
      }
      List<JsonNode> lines = jsonLines();

      assertEquals(0, learn.exitValue(), "exit code; stderr: " + stderr());
      JsonNode summary = lines.get(lines.size() - 1);
      assertEquals("stopped", summary.path("event").asText(),
          "last line: " + summary + "; stderr: " + stderr());
      assertEquals("stopped on SIGTERM", summary.path("how").asText());
      assertEquals("STOPPED", summary.path("state").asText());
      String savepoint = summary.path("savepoint").asText();
      assertTrue(savepoint.contains(savepoints.toString()), "savepoint " + savepoint);
      assertTrue(Files.isDirectory(Path.of(java.net.URI.create(savepoint))), savepoint);
      assertEquals(240, summary.path("inputs").path(config.topics().images()).path("read")
          .asLong(), "records read: " + summary);
      assertTrue(summary.path("embeddings").asLong() >= 240, "embeddings committed: " + summary);
    }
  }

  @Test
  void untilLatestReplaysWhatTheTopicHoldsThenFinishesWithExitCodeZeroAndASummary()
      throws Exception {
    try (StreamingStack stack = StreamingStack.start(dir)) {
      // B = 8 and a batch timeout that never fires: the last 5 are embedded by the end of input
      String[] only = {"topics.sentences=", "topics.pairs=", "job.batchTimeout=1h"};
      JobConfig config = stack.config("until", only);
      stack.produce(config, StreamingStack.images(21), null);

      Process learn = learn(stack.settings("until", only), "--until", "latest");
      try {
        assertTrue(learn.waitFor(180, TimeUnit.SECONDS), "learn --until did not end by itself; "
            + "stdout: " + jsonLines() + "; stderr: " + stderr());
      } finally {
        learn.destroyForcibly();
      }
      assertEquals(0, learn.exitValue(), "exit code; stderr: " + stderr());
      List<JsonNode> lines = jsonLines();
      JsonNode summary = lines.get(lines.size() - 1);
      assertEquals("FINISHED", summary.path("state").asText(), "summary: " + summary);
      assertEquals(21, summary.path("embeddings").asLong(), "every record, the last partial"
          + " micro-batch included: " + summary);
    }
  }

  /** {@code contraflow learn} in a JVM of its own, JSON status lines every second. */
  private Process learn(List<String> settings, String... options) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-Xmx1g",
        "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir",
            System.getProperty("user.home") + "/.javacpp/cache"),
        "-Djava.io.tmpdir=" + dir,
        "-cp", System.getProperty("java.class.path"), "dev.contraflow.cli.Contraflow", "learn",
        "--status-format", "json", "--status-every", "1"));
    command.addAll(List.of(options));
    for (String setting : settings) {
      command.addAll(List.of("--set", setting));
    }
    return new ProcessBuilder(command)
        .redirectOutput(dir.resolve("stdout.txt").toFile())
        .redirectError(dir.resolve("stderr.txt").toFile())
        .start();
  }

  /** A status line after the job read every image and published a version of the model. */
  private static boolean caughtUp(JsonNode line) {
    JsonNode images = line.path("inputs").elements().hasNext()
        ? line.path("inputs").elements().next() : JSON.nullNode();
    JsonNode model = line.path("models").path("default");
    return line.path("event").asText().equals("status")
        && images.path("read").asLong() == 240
        && model.path("step").asLong() > 0
        && model.path("loss").isNumber()
        && model.path("published").isNumber();
  }

  /** The JSON lines learn has written to stdout so far. */
  private List<JsonNode> jsonLines() {
    List<JsonNode> lines = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(dir.resolve("stdout.txt"))) {
        if (line.startsWith("{") && line.endsWith("}")) {
          lines.add(JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      // not written yet
    }
    return lines;
  }

  private String stderr() {
    try {
      return Files.readString(dir.resolve("stderr.txt"));
    } catch (IOException e) {
      return e.toString();
    }
  }
}
