package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.kafka.TopicReader;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.LearnerStateCodec;
import dev.contraflow.learn.ModelFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class SavepointRescaleTest {

  private static final List<String> MODELS = List.of("a", "b");

  @Test
  void eachModelContinuesWhereItStoppedAfterASavepointAndARescale(@TempDir Path dir)
      throws Exception {
    List<Image> images = StreamingStack.images(64); // per model: 4 batches of 8
    try (StreamingStack stack = StreamingStack.start(dir)) {
      JobConfig one = stack.config("rescale", "publish.everySteps=1", "job.batchTimeout=1h",
          "job.parallelism=1");
      TopicReader<EmbeddingRecord> embeddings = stack.embeddings(one);

      stack.produceForModels(one, images.subList(0, 32), SavepointRescaleTest::modelOf);
      JobClient first = stack.run(one);
      await(() -> embeddings.count() >= 32, Duration.ofSeconds(120),
          () -> embeddings.count() + " of 32 embeddings before the savepoint");
      String savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri()
          .toString(), SavepointFormatType.CANONICAL).get();

      stack.produceForModels(one, images.subList(32, 64), SavepointRescaleTest::modelOf);
      JobConfig two = stack.config("rescale", "publish.everySteps=1", "job.batchTimeout=1h",
          "job.parallelism=2");
      JobClient second = stack.run(two, UnaryOperator.identity(), savepoint);
      try {
        await(() -> embeddings.count() >= 64, Duration.ofSeconds(120),
            () -> embeddings.count() + " of 64 embeddings after the rescale");
      } finally {
        second.cancel().get();
      }

      List<EmbeddingRecord> all = embeddings.records();
      assertEquals(64, all.size());
      assertEquals(64, all.stream().map(EmbeddingRecord::getId).distinct().count(),
          "one embedding per input across the stop and the resume");
      long k = two.learner().replay().updatesPerBatch(); // versions count gradient steps
      for (String model : MODELS) {
        Set<Long> versions = all.stream().filter(e -> e.getModelId().equals(model))
            .map(EmbeddingRecord::getModelVersion).collect(Collectors.toCollection(TreeSet::new));
        // each micro-batch is embedded by the model before its own updates
        assertEquals(Set.of(0L, k, 2 * k, 3 * k), versions,
            model + " went on from micro-batch 2 to 3 and 4");
        LearnerState resumed = ModelFile.read(Path.of(two.publish().modelStore())
            .resolve(model + "/" + model + "-v" + 4 * k + ".cfm")).state();
        assertArrayEquals(LearnerStateCodec.toBytes(StreamingStack.uninterruptedRun(two,
            images.stream().filter(i -> modelOf(i).equals(model)).toList())),
            LearnerStateCodec.toBytes(resumed), model + " ends as if never stopped");
      }
    }
  }

  /** Even images train model a, odd ones model b. */
  private static String modelOf(Image image) {
    return MODELS.get(Integer.parseInt(image.id()) % 2);
  }
}
