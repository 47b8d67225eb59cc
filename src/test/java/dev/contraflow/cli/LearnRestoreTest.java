package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.job.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code contraflow learn --restore}: from a savepoint, a checkpoint, or the latest retained. */
class LearnRestoreTest {

  @TempDir
  Path dir;

  private Configuration flinkOf(String... args) throws Exception {
    LearnCommand learn = new LearnCommand();
    new CommandLine(learn).parseArgs(args);
    JobConfig job = learn.options.load(List.of());
    return learn.flinkConfiguration(job);
  }

  @Test
  void latestResumesFromTheNewestCheckpointRetainedUnderTheCheckpointDir() throws Exception {
    Path chk = Files.createDirectories(dir.resolve("3f2a/chk-7"));
    Files.writeString(chk.resolve("_metadata"), "m");
    Configuration flink = flinkOf("--restore", "latest", "--set",
        "job.checkpointDir=" + dir.toUri());
    assertEquals(chk, Path.of(java.net.URI.create(
        flink.get(StateRecoveryOptions.SAVEPOINT_PATH))));
  }

  @Test
  void aPathIsRestoredAsGiven() throws Exception {
    assertEquals("file:///savepoints/savepoint-1a2b", flinkOf("--restore",
        "file:///savepoints/savepoint-1a2b").get(StateRecoveryOptions.SAVEPOINT_PATH));
  }

  @Test
  void withoutRestoreTheJobStartsFresh() throws Exception {
    assertFalse(flinkOf().contains(StateRecoveryOptions.SAVEPOINT_PATH));
  }

  @Test
  void latestWithNothingRetainedSaysSo() {
    var e = assertThrows(CommandLine.ParameterException.class, () -> flinkOf("--restore",
        "latest", "--set", "job.checkpointDir=" + dir.toUri()));
    assertTrue(e.getMessage().contains("no complete checkpoint"), e.getMessage());
  }
}
