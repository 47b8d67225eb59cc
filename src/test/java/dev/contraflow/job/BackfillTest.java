package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.kafka.Backfill;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.TopicReader;
import dev.contraflow.job.learner.ModelPublisher;
import dev.contraflow.kafka.TimeRange;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.ModelFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class BackfillTest {

  @Test
  void backfillReEmbedsTheRangeWithTheCheckpointsVersionAndDeadLettersTheRest(@TempDir Path dir)
      throws Exception {
    List<Image> images = StreamingStack.images(40);
    try (StreamingStack stack = StreamingStack.start(dir)) {
      JobConfig config = stack.config("backfill");
      stack.produce(config, images.subList(0, 20), null);
      Map<String, byte[]> bad = BadInput.values();
      stack.produceBytes(config, "garbage", bad.get("garbage"));
      stack.produceBytes(config, "truncated-png", bad.get("truncated-png"));
      stack.produce(config, images.subList(20, 40), null);

      LearnerState trained = StreamingStack.uninterruptedRun(config, images.subList(0, 24));
      byte[] model = ModelFile.toBytes(new ModelFile.Model(config.learner(), trained,
          Map.of()));
      Backfill.Result result = new Backfill(config, new PrintStream(
          PrintStream.nullOutputStream())).run(model, "fashion", TimeRange.all());
      assertEquals(new Backfill.Result(42, 40, 2), result);

      TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
      TopicReader<DeadLetterRecord> deadLetters = stack.deadLetters(config);
      await(() -> embeddings.count() >= 40 && deadLetters.count() >= 2, Duration.ofSeconds(30),
          () -> embeddings.count() + " embeddings, " + deadLetters.count() + " dead letters");
      String checkpointId = ModelPublisher.sha256(model);
      assertTrue(embeddings.records().stream().allMatch(e -> e.getModelVersion() == trained.step()
          && e.getModelId().equals("fashion") && checkpointId.equals(e.getCheckpointId())),
          "every embedding carries the checkpoint's version (its gradient steps) and id");

      Backfill.Result none = new Backfill(config, new PrintStream(
          PrintStream.nullOutputStream())).run(model, "fashion",
          new TimeRange(System.currentTimeMillis() + 3_600_000, Long.MAX_VALUE));
      assertEquals(new Backfill.Result(0, 0, 0), none, "a range in the future holds nothing");
    }
  }
}
