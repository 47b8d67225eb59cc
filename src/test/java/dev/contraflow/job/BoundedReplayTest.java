package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.avro.CheckpointRecord;
import dev.contraflow.avro.CheckpointStatus;
import dev.contraflow.avro.EmbeddingKind;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, bounded replay ({@code kafka.stoppingOffsets}, {@code learn --until}): the job reads
 * to the end of its range and finishes by itself, and the last partial micro-batch is trained on
 * and embedded, not dropped - its batch timeout never fires, the end of input flushes it - then
 * published and refreshed.
 */
@Tag("slow")
class BoundedReplayTest {

  @Test
  void boundedReplayEmbedsTheLastPartialBatchPublishesAndFinishes(@TempDir Path dir)
      throws Exception {
    List<Image> images = StreamingStack.images(21); // B = 8: batches of 8, 8 and a partial 5
    try (StreamingStack stack = StreamingStack.start(dir)) {
      JobConfig config = stack.config("bounded", "kafka.stoppingOffsets=LATEST",
          "job.batchTimeout=1h", "publish.everySteps=100", "refresh.enabled=true",
          "refresh.chunk=6", "publish.gates.sampleSize=16");
      stack.produce(config, images, null);
      TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
      TopicReader<CheckpointRecord> checkpoints = stack.checkpoints(config);

      JobClient job = stack.run(config);
      // completes normally only when the job FINISHED (a failed or cancelled job throws); the
      // MiniCluster of a local run shuts down with it, so its status cannot be asked afterwards
      job.getJobExecutionResult().get(180, TimeUnit.SECONDS);

      await(() -> embeddings.records().stream().filter(e -> e.getKind() == EmbeddingKind.NEW)
          .count() >= images.size(), Duration.ofSeconds(30),
          () -> embeddings.count() + " embeddings");
      List<String> embedded = embeddings.records().stream()
          .filter(e -> e.getKind() == EmbeddingKind.NEW).map(e -> e.getId().toString())
          .sorted().toList();
      assertEquals(images.stream().map(Image::id).sorted().toList(), embedded,
          "exactly one embedding per record, the last 5 included");
      await(() -> checkpoints.count() >= 2, Duration.ofSeconds(30),
          () -> "checkpoint records: " + checkpoints.records());
      CheckpointRecord published = only(checkpoints, CheckpointStatus.PUBLISHED);
      assertEquals(3L, published.getModelVersion(), "the model after the partial batch's step");
      CheckpointRecord complete = only(checkpoints, CheckpointStatus.COMPLETE);
      assertEquals(3L, complete.getModelVersion());
      assertEquals(21L, complete.getEmbeddings(), "the refresh ran to the end before the job did");
    }
  }

  private static CheckpointRecord only(TopicReader<CheckpointRecord> checkpoints,
      CheckpointStatus status) {
    List<CheckpointRecord> found = checkpoints.records().stream()
        .filter(c -> c.getStatus() == status).toList();
    assertEquals(1, found.size(), status + " records: " + checkpoints.records());
    return found.get(0);
  }
}
