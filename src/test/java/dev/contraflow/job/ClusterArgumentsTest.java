package dev.contraflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.job.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flink run}'s arguments take the options of {@code contraflow learn}. */
class ClusterArgumentsTest {

  @Test
  void aConfigFileAndOverridesAreReadLikeLearnReadsThem(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("job.yaml"), "learner:\n  batchSize: 32\n");
    JobConfig config = ContraflowJob.config("--config", file.toString(), "--set",
        "learner.encoder.projectionDim=16", "--set=job.parallelism=3");
    assertEquals(32, config.learner().batchSize(), "from the file");
    assertEquals(16, config.learner().encoder().projectionDim(), "from --set");
    assertEquals(3, config.job().parallelism(), "--set=value works as on the command line");
  }

  @Test
  void anUnknownArgumentIsRefusedWithTheUsage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ContraflowJob.config("--confg", "job.yaml"));
    assertTrue(e.getMessage().contains("--confg") && e.getMessage().contains("--set"),
        e.getMessage());
  }
}
