package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.TopicReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancelled job leaves its last checkpoint behind (issue 15: checkpoints were deleted, and the
 * learners' state with them), and a job started from the latest retained one goes on where it
 * stopped.
 */
class RetainedCheckpointTest {

  @Test
  void aCancelledJobResumesFromItsLatestRetainedCheckpoint(@TempDir Path dir) throws Exception {
    List<Image> images = StreamingStack.images(32); // 4 batches of 8
    try (StreamingStack stack = StreamingStack.start(dir)) {
      JobConfig config = stack.config("retained", "job.batchTimeout=1h");
      TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);

      stack.produce(config, images.subList(0, 16), null);
      JobClient first = stack.run(config);
      // read_committed: the embeddings are visible once a checkpoint after them completed
      await(() -> embeddings.count() >= 16, Duration.ofSeconds(120),
          () -> embeddings.count() + " of 16 embeddings before the cancel");
      first.cancel().get();

      URI latest = RetainedCheckpoints.latest(config.job().checkpointDir()).orElseThrow(
          () -> new AssertionError("no checkpoint retained after the cancel"));
      stack.produce(config, images.subList(16, 32), null);
      JobClient second = stack.run(config, UnaryOperator.identity(), latest.toString());
      try {
        await(() -> embeddings.count() >= 32, Duration.ofSeconds(120),
            () -> embeddings.count() + " of 32 embeddings after the resume");
      } finally {
        second.cancel().get();
      }

      List<EmbeddingRecord> all = embeddings.records();
      assertEquals(32, all.stream().map(EmbeddingRecord::getId).distinct().count());
      assertEquals(32, all.size(), "one embedding per input across the cancel and the resume");
      Set<Long> versions = all.stream().map(EmbeddingRecord::getModelVersion)
          .collect(Collectors.toCollection(TreeSet::new));
      // each micro-batch is embedded by the model before its own update
      assertEquals(Set.of(0L, 1L, 2L, 3L), versions, "the model went on from step 2");
    }
  }
}
