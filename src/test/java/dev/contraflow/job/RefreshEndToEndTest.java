package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.TopicReader;
import dev.contraflow.serve.EmbeddingTable;
import dev.contraflow.serve.HttpOptions;
import dev.contraflow.serve.ServeClient;
import dev.contraflow.serve.ServeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's "Done when" on the embedded stack (EmbeddedKafka + Flink MiniCluster + serve): for a
 * stream of N = 32 distinct ids and two published checkpoints, a read_committed reader finds every
 * id once in each complete version, as many as its completion record says; a third checkpoint
 * that the health gates reject (the job resumed from a savepoint with a collapse threshold no
 * young encoder reaches) is never refreshed and never becomes current; and serve's default search
 * with k = N ranks all N ids of the newest complete version, and only of it.
 */
@Tag("slow")
class RefreshEndToEndTest {

  private static final int N = 32;

  @Test
  void everyCompleteVersionHoldsEachLiveIdOnceAndServeAnswersFromTheNewestOnly(@TempDir Path dir)
      throws Exception {
    List<Image> images = StreamingStack.images(N); // 4 batches of 8: versions 2 and 4
    try (StreamingStack stack = StreamingStack.start(dir)) {
      List<String> settings = List.of("publish.everySteps=2", "job.batchTimeout=1h",
          "refresh.enabled=true", "refresh.chunk=6", "publish.gates.sampleSize=16");
      JobConfig config = stack.config("refresh", settings.toArray(String[]::new));
      TopicReader<EmbeddingRecord> embeddings = stack.allEmbeddings(config);
      TopicReader<CheckpointRecord> checkpoints = stack.checkpoints(config);
      JobClient job = stack.run(config);
      stack.produce(config, images.subList(0, 16), null);
      await(() -> complete(checkpoints).size() >= 1, Duration.ofSeconds(120),
          () -> "version 2 never completed: " + checkpoints.records());
      stack.produce(config, images.subList(16, N), null);
      await(() -> complete(checkpoints).size() >= 2, Duration.ofSeconds(120),
          () -> "version 4 never completed: " + checkpoints.records());
      String savepoint = job.stopWithSavepoint(false, dir.resolve("savepoints").toUri()
          .toString(), SavepointFormatType.CANONICAL).get();

      assertEveryLiveIdOncePerCompleteVersion(images, embeddings, checkpoints);

      // The same ids again (still N distinct), learnt by a job whose collapse gate no young
      // encoder passes: version 6 is due and rejected.
      List<String> strict = new ArrayList<>(settings);
      strict.add("publish.gates.minStdRatio=0.999");
      JobConfig gated = stack.config("refresh", strict.toArray(String[]::new));
      JobClient resumed = stack.run(gated, UnaryOperator.identity(), savepoint);
      try {
        stack.produce(gated, images.subList(0, 16), null);
        await(() -> rejected(checkpoints).size() >= 1, Duration.ofSeconds(120),
            () -> "version 6 was never rejected: " + checkpoints.records());
      } finally {
        resumed.cancel().get();
      }
      assertEquals(6, rejected(checkpoints).get(0).getModelVersion());
      assertTrue(rejected(checkpoints).get(0).getReason().toString().startsWith("collapsed"));
      assertEquals(List.of(2L, 4L), complete(checkpoints).stream()
          .map(CheckpointRecord::getModelVersion).toList(), "no refresh of the rejected version");
      assertTrue(embeddings.records().stream().noneMatch(e -> e.getKind() == EmbeddingKind.REFRESH
          && e.getModelVersion() == 6));

      serveAnswersFromVersion4Only(stack, dir, config, images);
    }
  }

  /** Every live id once per complete version, each as many as the completion record says. */
  private static void assertEveryLiveIdOncePerCompleteVersion(List<Image> images,
      TopicReader<EmbeddingRecord> embeddings, TopicReader<CheckpointRecord> checkpoints) {
    List<CheckpointRecord> done = complete(checkpoints);
    assertEquals(List.of(2L, 4L), done.stream().map(CheckpointRecord::getModelVersion).toList());
    Map<Long, String> publishedIds = checkpoints.records().stream()
        .filter(c -> c.getStatus() == CheckpointStatus.PUBLISHED)
        .collect(Collectors.toMap(CheckpointRecord::getModelVersion, c -> c.getSha256()));
    for (CheckpointRecord c : done) {
      List<EmbeddingRecord> version = embeddings.records().stream()
          .filter(e -> e.getKind() == EmbeddingKind.REFRESH
              && e.getModelVersion() == c.getModelVersion()).toList();
      int live = c.getModelVersion() == 2 ? 16 : N;
      assertEquals(images.subList(0, live).stream().map(Image::id).sorted().toList(),
          version.stream().map(e -> e.getId().toString()).sorted().toList(),
          "version " + c.getModelVersion() + ": every live id, each once");
      assertEquals((long) live, c.getEmbeddings(), "the completion record's count");
      assertEquals(publishedIds.get(c.getModelVersion()), c.getSha256());
      version.forEach(e -> assertEquals(c.getSha256(), e.getCheckpointId()));
    }
    assertEquals(N, embeddings.records().stream()
        .filter(e -> e.getKind() == EmbeddingKind.NEW).count(), "one NEW embedding per record");
  }

  /**
   * serve over the real topics: GET /models/{id} never names the rejected version 6 current
   * (polled from the first answer until version 4 is), and a default search with k = N ranks
   * all N ids, all of version 4, although newer NEW embeddings (versions 5 and 6) are held too.
   */
  private static void serveAnswersFromVersion4Only(StreamingStack stack, Path dir,
      JobConfig config, List<Image> images) throws Exception {
    ServeConfig serve = new ServeConfig(stack.bootstrap, config.topics().embeddings(), 0,
        "127.0.0.1", dir.resolve("serve"), "refresh-serve", Duration.ofDays(1), null,
        stack.client, 0, HttpOptions.defaults())
        .withCheckpoints(config.topics().checkpoints(), 1);
    String path = "/models/" + config.model().defaultId();
    try (EmbeddingTable table = EmbeddingTable.start(serve, line -> { })) {
      ServeClient client = new ServeClient(table.port());
      AtomicBoolean rejectedWasCurrent = new AtomicBoolean();
      await(() -> {
        JsonNode model = modelOrNull(client, path);
        if (model == null) {
          return false;
        }
        rejectedWasCurrent.compareAndSet(false, model.path("current").asLong() == 6);
        return model.path("current").asLong() == 4 && stateOf(model, 6).equals("REJECTED");
      }, Duration.ofSeconds(60), () -> "serve never made version 4 current: "
          + modelOrNull(client, path));
      assertFalse(rejectedWasCurrent.get(), "the rejected version 6 was current");

      JsonNode model = client.get(path).ok();
      assertEquals("COMPLETE", model.get("versionChoice").asText());
      assertEquals("COMPLETE", stateOf(model, 4));
      assertEquals(N, versionOf(model, 4).get("refreshed").asLong());
      assertNotEquals(true, versionOf(model, 6).get("current").asBoolean());

      JsonNode found = client.send("POST", path + "/search",
          "{\"vector\": " + queryVector(client, path, images.get(0).id()) + ", \"k\": " + N
              + "}").ok();
      assertEquals(images.stream().map(Image::id).sorted().toList(),
          ServeClient.ids(found).stream().sorted().toList(), "all N ids, each once");
      found.get("results").forEach(hit -> assertEquals(4, hit.get("modelVersion").asLong()));
      assertEquals("COMPLETE", found.get("versionChoice").asText());
    }
  }

  private static JsonNode modelOrNull(ServeClient client, String path) {
    try {
      ServeClient.Reply reply = client.get(path);
      return reply.status() == 200 ? reply.body() : null;
    } catch (Exception e) {
      return null;
    }
  }

  private static JsonNode versionOf(JsonNode model, long version) {
    for (JsonNode v : model.get("versions")) {
      if (v.get("version").asLong() == version) {
        return v;
      }
    }
    return MissingNode.getInstance();
  }

  private static String stateOf(JsonNode model, long version) {
    return versionOf(model, version).path("state").asText();
  }

  /** The id's embedding, as a JSON array: any vector of the right dimension would do. */
  private static String queryVector(ServeClient client, String path, String id)
      throws Exception {
    return client.get(path + "/embeddings/" + id).ok().get("vector").toString();
  }

  private static List<CheckpointRecord> complete(TopicReader<CheckpointRecord> checkpoints) {
    return withStatus(checkpoints, CheckpointStatus.COMPLETE);
  }

  private static List<CheckpointRecord> rejected(TopicReader<CheckpointRecord> checkpoints) {
    return withStatus(checkpoints, CheckpointStatus.REJECTED);
  }

  private static List<CheckpointRecord> withStatus(TopicReader<CheckpointRecord> checkpoints,
      CheckpointStatus status) {
    return checkpoints.records().stream().filter(c -> c.getStatus() == status).toList();
  }
}
