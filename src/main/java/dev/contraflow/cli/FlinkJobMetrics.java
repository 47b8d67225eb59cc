package dev.contraflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;

/**
 * Reads a running job's metrics the way the Flink web UI does, from the REST API of its cluster
 * (the MiniCluster of a local run, or a JobManager): the job's state and completed checkpoints,
 * and per vertex the operator metrics aggregated over its subtasks.
 *
 * <p>The REST API names an operator metric {@code <operator>.<groups>.<name>}, with spaces, dots
 * and colons of the operator name as {@code _}: {@code Source__images.numRecordsOut},
 * {@code learner__images.model.default.step}. A source's records read are its
 * {@code numRecordsOut}, its lag the connector's {@code pendingRecords} (FLIP-33); a model's
 * figures are the gauges of {@code ModelMetrics}.
 */
final class FlinkJobMetrics {

  private static final Pattern MODEL_GAUGE =
      Pattern.compile(".*\\.model\\.(.+)\\.(step|loss|embeddingStd)");

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final URI jobUri;

  FlinkJobMetrics(URI rest, JobID job) {
    this.jobUri = rest.resolve("/jobs/" + job + "/");
  }

  /** The job's figures now, without the output topics' (see {@link CommittedOutputs}). */
  JobStatus read(Duration elapsed, long embeddings, long deadLetters, Map<String, Long> published)
      throws IOException, InterruptedException {
    JsonNode job = get("");
    List<JobStatus.Input> inputs = new ArrayList<>();
    Map<String, Map<String, Double>> models = new TreeMap<>();
    for (JsonNode vertex : job.path("vertices")) {
      String id = vertex.path("id").asText();
      List<String> available = new ArrayList<>();
      get("vertices/" + id + "/subtasks/metrics")
          .forEach(m -> available.add(m.path("id").asText()));
      String topic = sourceTopic(vertex.path("name").asText());
      if (topic != null) {
        inputs.add(input(id, topic, available));
      }
      List<String> gauges = available.stream().filter(m -> MODEL_GAUGE.matcher(m).matches())
          .toList();
      if (!gauges.isEmpty()) {
        aggregate(id, gauges, "max").forEach((metric, value) -> {
          Matcher m = MODEL_GAUGE.matcher(metric);
          if (m.matches()) {
            models.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(m.group(2), value);
          }
        });
      }
    }
    long checkpoints = get("checkpoints").path("counts").path("completed").asLong();
    List<JobStatus.Model> modelStatus = models.entrySet().stream()
        .map(e -> new JobStatus.Model(e.getKey(),
            Math.round(e.getValue().getOrDefault("step", 0.0)),
            e.getValue().getOrDefault("loss", Double.NaN),
            e.getValue().getOrDefault("embeddingStd", Double.NaN),
            OptionalLong.empty()).withPublished(published.get(e.getKey())))
        .toList();
    return new JobStatus(elapsed, job.path("state").asText("UNKNOWN"), inputs, embeddings,
        deadLetters, checkpoints, modelStatus);
  }

  private JobStatus.Input input(String vertex, String topic, List<String> available)
      throws IOException, InterruptedException {
    String prefix = "Source__" + sanitize(topic) + ".";
    String read = prefix + "numRecordsOut";
    String lag = prefix + "pendingRecords";
    List<String> wanted = available.stream().filter(m -> m.equals(read) || m.equals(lag))
        .toList();
    Map<String, Double> values = wanted.isEmpty() ? Map.of() : aggregate(vertex, wanted, "sum");
    return new JobStatus.Input(topic, Math.round(values.getOrDefault(read, 0.0)),
        values.containsKey(lag) ? OptionalLong.of(Math.round(values.get(lag)))
            : OptionalLong.empty());
  }

  /** {@code metrics} of a vertex, each aggregated over its subtasks by {@code agg}. */
  private Map<String, Double> aggregate(String vertex, List<String> metrics, String agg)
      throws IOException, InterruptedException {
    String names = metrics.stream().map(m -> URLEncoder.encode(m, StandardCharsets.UTF_8))
        .collect(Collectors.joining(","));
    Map<String, Double> values = new TreeMap<>();
    String query = "vertices/" + vertex + "/subtasks/metrics?get=" + names + "&agg=" + agg;
    for (JsonNode m : get(query)) {
      JsonNode value = m.path(agg);
      if (value.isNumber()) {
        values.put(m.path("id").asText(), value.asDouble());
      }
    }
    return values;
  }

  /** The topic of a source vertex ("Source: images -> decode + validate: images"), else null. */
  static String sourceTopic(String vertexName) {
    if (!vertexName.startsWith("Source: ")) {
      return null;
    }
    String rest = vertexName.substring("Source: ".length());
    int chained = rest.indexOf(" -> ");
    return chained < 0 ? rest : rest.substring(0, chained);
  }

  /** As the REST API writes an operator's name in a metric's id. */
  static String sanitize(String name) {
    return name.replaceAll("[ .:,]", "_");
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> response = http.send(
        HttpRequest.newBuilder(jobUri.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + jobUri.resolve(path) + ": HTTP " + response.statusCode());
    }
    return json.readTree(response.body());
  }
}
