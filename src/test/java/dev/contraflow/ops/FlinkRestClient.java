package dev.contraflow.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The part of Flink's REST API that submits a job the way `flink run` would, for clusters without
 * a Flink distribution: POST /jars/upload, then POST /jars/:jarid/run.
 */
final class FlinkRestClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  FlinkRestClient(URI base) {
    this.base = base;
  }

  /** Uploads a job jar (multipart field "jarfile") and returns its jar id for {@link #run}. */
  String upload(Path jar) throws IOException, InterruptedException {
    String boundary = "contraflow-" + UUID.randomUUID();
    String head = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
        + "Content-Type: application/x-java-archive\r\n\r\n";
    String tail = "\r\n--" + boundary + "--\r\n";
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/jars/upload"))
        .timeout(Duration.ofMinutes(5))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(BodyPublishers.concat(
            BodyPublishers.ofString(head, StandardCharsets.UTF_8),
            BodyPublishers.ofFile(jar),
            BodyPublishers.ofString(tail, StandardCharsets.UTF_8)))
        .build();
    JsonNode answer = send(request, "upload " + jar);
    // {"filename": "<upload dir>/<jar id>", "status": "success"}
    String stored = answer.path("filename").asText();
    if (!"success".equals(answer.path("status").asText()) || stored.isEmpty()) {
      throw new IOException("upload of " + jar + " was not accepted: " + answer);
    }
    return Path.of(stored).getFileName().toString();
  }

  /** Runs the uploaded jar's entry class with the given arguments; returns the job id. */
  String run(String jarId, String entryClass, List<String> programArgs)
      throws IOException, InterruptedException {
    return run(jarId, entryClass, programArgs, null);
  }

  /**
   * Runs the uploaded jar's entry class, restored from a savepoint or retained checkpoint when
   * {@code restorePath} is not null; returns the job id.
   */
  String run(String jarId, String entryClass, List<String> programArgs, String restorePath)
      throws IOException, InterruptedException {
    Map<String, Object> fields = new HashMap<>(
        Map.of("entryClass", entryClass, "programArgsList", programArgs));
    if (restorePath != null) {
      fields.put("savepointPath", restorePath);
    }
    byte[] body = JSON.writeValueAsBytes(fields);
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/jars/" + jarId + "/run"))
        .timeout(Duration.ofMinutes(5))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofByteArray(body))
        .build();
    return send(request, "run " + entryClass).path("jobid").asText();
  }

  /** The job's state: CREATED, RUNNING, RESTARTING, FAILED, CANCELED, FINISHED, ... */
  String state(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId).path("state").asText();
  }

  /** The latest failure's stack trace, or "" when the job has not failed. */
  String rootException(String jobId) throws IOException, InterruptedException {
    JsonNode entries = exceptionHistory(jobId);
    return entries.isEmpty() ? "" : entries.get(0).path("stacktrace").asText();
  }

  /** How often the job has failed (and restarted, or not), as far as Flink remembers. */
  int failures(String jobId) throws IOException, InterruptedException {
    return exceptionHistory(jobId).size();
  }

  private JsonNode exceptionHistory(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
  }

  /** GET /jobs/:id/checkpoints: counts, and the latest completed and failed checkpoint. */
  JsonNode checkpoints(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/checkpoints");
  }

  /** Every job the cluster knows: (id, state) pairs from /jobs/overview. */
  JsonNode jobs() throws IOException, InterruptedException {
    return get("/jobs/overview").path("jobs");
  }

  /** Whether every task of the job is RUNNING (a RUNNING job may still be scheduling some). */
  boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
    JsonNode job = get("/jobs/" + jobId);
    if (!"RUNNING".equals(job.path("state").asText())) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (!"RUNNING".equals(vertex.path("status").asText())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stops the job with a savepoint in {@code targetDirectory} (POST /jobs/:id/stop) and returns
   * the savepoint's path once Flink reports it complete.
   */
  String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout)
      throws IOException, InterruptedException {
    byte[] body = JSON.writeValueAsBytes(Map.of("targetDirectory", targetDirectory, "drain", false));
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "/stop"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofByteArray(body))
        .build();
    String trigger = send(request, "stop " + jobId).path("request-id").asText();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode answer = get("/jobs/" + jobId + "/savepoints/" + trigger);
      if ("COMPLETED".equals(answer.path("status").path("id").asText())) {
        JsonNode operation = answer.path("operation");
        if (operation.has("failure-cause")) {
          throw new IOException("stop-with-savepoint of " + jobId + " failed: "
              + operation.path("failure-cause").path("stack-trace").asText());
        }
        return operation.path("location").asText();
      }
      Thread.sleep(500);
    }
    throw new IOException("stop-with-savepoint of " + jobId + " not complete within " + timeout);
  }

  void cancel(String jobId) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
        .timeout(Duration.ofSeconds(30))
        .method("PATCH", BodyPublishers.noBody())
        .build();
    http.send(request, BodyHandlers.discarding());
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build();
    return send(request, "GET " + path);
  }

  private JsonNode send(HttpRequest request, String what) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, BodyHandlers.ofString());
    // 200, or 202 Accepted for asynchronous operations such as POST /jobs/:id/stop
    if (response.statusCode() != 200 && response.statusCode() != 202) {
      // Flink answers {"errors": ["<stack trace>"]}; the job's own exception is the last cause.
      throw new IOException(what + ": HTTP " + response.statusCode() + " from " + request.uri()
          + "\n" + errors(response.body()));
    }
    return JSON.readTree(response.body());
  }

  private static String errors(String body) {
    try {
      JsonNode errors = JSON.readTree(body).path("errors");
      StringBuilder text = new StringBuilder();
      errors.forEach(e -> text.append(e.asText()).append('\n'));
      return text.length() > 0 ? text.toString() : body;
    } catch (IOException notJson) {
      return body;
    }
  }
}
