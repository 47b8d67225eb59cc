package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.kafka.TopicReader;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.LearnerStateCodec;
import dev.contraflow.learn.ModelFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class FailureRecoveryTest {

  /** Armed by the test; the job fails once at the first record with an id >= FAIL_AT_ID. */
  static final AtomicBoolean ARMED = new AtomicBoolean();
  static final AtomicBoolean FAILED = new AtomicBoolean();
  static final int FAIL_AT_ID = 61; // mid-batch: batches are 56-63, 64-71, ...

  @Test
  void restoredJobEmitsEachEmbeddingOnceAndEndsWithTheUninterruptedParameters(@TempDir Path dir)
      throws Exception {
    List<Image> images = StreamingStack.images(96); // 12 batches of 8
    try (StreamingStack stack = StreamingStack.start(dir)) {
      JobConfig config = stack.config("recovery", "publish.everySteps=1",
          "job.batchTimeout=1h");
      TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
      JobClient job = stack.run(config, stream -> stream.map(new FailOnce()), null);
      try {
        // First half, committed (read_committed sees it only after a checkpoint).
        stack.produce(config, images.subList(0, 48), null);
        await(() -> embeddings.count() >= 48, Duration.ofSeconds(120),
            () -> embeddings.count() + " of 48 embeddings before the failure");
        ARMED.set(true);
        stack.produce(config, images.subList(48, 96), null);
        await(() -> embeddings.count() >= 96, Duration.ofSeconds(180),
            () -> embeddings.count() + " of 96 embeddings after the restart");
        assertTrue(FAILED.get(), "the injected failure happened");
        await(() -> modelFile(config, 12).toFile().exists(), Duration.ofSeconds(30),
            () -> "no model file of step 12");
      } finally {
        job.cancel().get();
      }

      Map<String, Long> perId = embeddings.records().stream()
          .collect(Collectors.groupingBy(e -> e.getId(), Collectors.counting()));
      assertEquals(96, perId.size(), "no embedding missing");
      assertTrue(perId.values().stream().allMatch(n -> n == 1),
          "exactly one committed embedding per input id: " + perId);

      LearnerState restored = ModelFile.read(modelFile(config, 12)).state();
      LearnerState uninterrupted = StreamingStack.uninterruptedRun(config, images);
      assertEquals(uninterrupted.step(), restored.step());
      assertEquals(uninterrupted.rngState(), restored.rngState());
      assertArrayEquals(uninterrupted.encoderParams(), restored.encoderParams());
      assertArrayEquals(uninterrupted.network(LearnerState.MOMENTUM).params(),
          restored.network(LearnerState.MOMENTUM).params());
      assertArrayEquals(uninterrupted.network(LearnerState.ONLINE).updaterState(),
          restored.network(LearnerState.ONLINE).updaterState());
      assertArrayEquals(LearnerStateCodec.toBytes(uninterrupted),
          LearnerStateCodec.toBytes(restored), "queue, ages and id hashes too");
      Map<String, EmbeddingRecord> byId = embeddings.records().stream()
          .collect(Collectors.toMap(e -> e.getId(), Function.identity()));
      assertEquals(11, byId.get("95").getModelVersion(), "the last micro-batch is embedded by "
          + "step 11, before its own update");
    }
  }

  private static Path modelFile(JobConfig config, long step) {
    return Path.of(config.publish().modelStore()).resolve("default/default-v" + step + ".cfm");
  }

  /** Throws once, when armed, at the first record with an id at or past FAIL_AT_ID. */
  static final class FailOnce implements MapFunction<LearnerInput, LearnerInput> {
    @Override
    public LearnerInput map(LearnerInput in) {
      if (ARMED.get() && Integer.parseInt(in.id) >= FAIL_AT_ID && FAILED.compareAndSet(false,
          true)) {
        throw new IllegalStateException("injected failure at record " + in.id);
      }
      return in;
    }
  }
}
