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
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 on the embedded stack: two published checkpoints each re-embed the live set through
 * the exactly-once sink, and a read_committed reader finds every id once in each complete
 * version, as many as its completion record says.
 */
@Tag("slow")
class RefreshEndToEndTest {

  @Test
  void everyCompleteVersionHoldsEachLiveIdExactlyOnce(@TempDir Path dir) throws Exception {
    List<Image> images = StreamingStack.images(32); // 4 batches of 8: versions 2 and 4
    try (StreamingStack stack = StreamingStack.start(dir)) {
      JobConfig config = stack.config("refresh", "publish.everySteps=2", "job.batchTimeout=1h",
          "refresh.enabled=true", "refresh.chunk=6", "publish.gates.sampleSize=16");
      TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
      TopicReader<CheckpointRecord> checkpoints = stack.checkpoints(config);
      JobClient job = stack.run(config);
      try {
        stack.produce(config, images.subList(0, 16), null);
        await(() -> complete(checkpoints).size() >= 1, Duration.ofSeconds(120),
            () -> "version 2 never completed: " + checkpoints.records());
        stack.produce(config, images.subList(16, 32), null);
        await(() -> complete(checkpoints).size() >= 2, Duration.ofSeconds(120),
            () -> "version 4 never completed: " + checkpoints.records());
      } finally {
        job.cancel().get();
      }

      List<CheckpointRecord> done = complete(checkpoints);
      assertEquals(List.of(2L, 4L), done.stream().map(CheckpointRecord::getModelVersion).toList());
      Map<Long, String> publishedIds = checkpoints.records().stream()
          .filter(c -> c.getStatus() == CheckpointStatus.PUBLISHED)
          .collect(Collectors.toMap(CheckpointRecord::getModelVersion, c -> c.getSha256()));
      for (CheckpointRecord c : done) {
        List<EmbeddingRecord> version = embeddings.records().stream()
            .filter(e -> e.getKind() == EmbeddingKind.REFRESH
                && e.getModelVersion() == c.getModelVersion()).toList();
        int live = c.getModelVersion() == 2 ? 16 : 32;
        assertEquals(images.subList(0, live).stream().map(Image::id).sorted().toList(),
            version.stream().map(e -> e.getId().toString()).sorted().toList(),
            "version " + c.getModelVersion() + ": every live id, each once");
        assertEquals((long) live, c.getEmbeddings(), "the completion record's count");
        assertEquals(publishedIds.get(c.getModelVersion()), c.getSha256());
        version.forEach(e -> assertEquals(c.getSha256(), e.getCheckpointId()));
      }
      assertEquals(32, embeddings.records().stream()
          .filter(e -> e.getKind() == EmbeddingKind.NEW).count(), "one NEW embedding per record");
    }
  }

  private static List<CheckpointRecord> complete(TopicReader<CheckpointRecord> checkpoints) {
    return checkpoints.records().stream()
        .filter(c -> c.getStatus() == CheckpointStatus.COMPLETE).toList();
  }
}
