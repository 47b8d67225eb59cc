package dev.contraflow.job;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputTopicsTest {

  @Test
  void aMissingInputTopicIsNamedBeforeTheJobStarts(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
      kafka.createTopics(List.of("contraflow.images"), 1);
      JobConfig all = JobConfigLoader.defaults(List.of(
          "kafka.bootstrapServers=" + kafka.bootstrapServers()));
      var e = assertThrows(IllegalStateException.class,
          () -> ContraflowJob.requireInputTopics(all));
      assertTrue(e.getMessage().startsWith("input topic(s) [contraflow.sentences, "
          + "contraflow.pairs] do not exist"), e.getMessage());
      assertTrue(e.getMessage().contains("to \"\" for an input the job should not read"),
          e.getMessage());

      JobConfig imagesOnly = JobConfigLoader.defaults(List.of(
          "kafka.bootstrapServers=" + kafka.bootstrapServers(), "topics.sentences=",
          "topics.pairs="));
      assertDoesNotThrow(() -> ContraflowJob.requireInputTopics(imagesOnly));
    }
  }
}
