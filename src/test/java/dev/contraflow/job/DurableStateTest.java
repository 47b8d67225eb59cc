package dev.contraflow.job;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.job.config.InvalidJobConfigException;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What keeps a job's state (issue 15): retained checkpoints and where to find the latest, no
 * /tmp checkpoints on a cluster, a transaction timeout that outlasts checkpoints and restarts,
 * and a transactional id prefix of the deployment's own.
 */
class DurableStateTest {

  @TempDir
  Path dir;

  @Test
  void checkpointsAreRetainedWhenTheJobIsCancelledOrFails() {
    var flink = ContraflowJob.flinkConfiguration(JobConfigLoader.defaults(List.of(
        "job.checkpointTimeout=90s")));
    assertEquals(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION,
        flink.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION));
    assertEquals(90, flink.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT).toSeconds());
  }

  @Test
  void theLatestRetainedCheckpointIsTheNewestCompleteOneOfAnyJob() throws Exception {
    checkpoint("job-a", 3, 1000, true);
    checkpoint("job-a", 4, 2000, true);
    checkpoint("job-b", 1, 3000, true); // the job restored from job-a's, then checkpointed
    checkpoint("job-b", 2, 4000, false); // still being written: no _metadata
    Files.createDirectories(dir.resolve("job-b/shared"));
    assertEquals(Optional.of(dir.resolve("job-b/chk-1")),
        RetainedCheckpoints.latest(dir.toUri()).map(Path::of));
  }

  @Test
  void anEmptyOrMissingDirectoryHasNoLatestCheckpoint() throws Exception {
    assertTrue(RetainedCheckpoints.latest(dir.toUri()).isEmpty());
    assertTrue(RetainedCheckpoints.latest(dir.resolve("absent").toUri()).isEmpty());
  }

  private void checkpoint(String job, int n, long writtenAt, boolean complete) throws Exception {
    Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + n));
    if (complete) {
      Path metadata = Files.writeString(chk.resolve("_metadata"), "m");
      Files.setLastModifiedTime(metadata, FileTime.fromMillis(writtenAt));
    }
  }

  @Test
  void aClusterStartRefusesCheckpointsUnderTmpUnlessForced() {
    JobConfig tmp = JobConfigLoader.defaults(List.of());
    var e = assertThrows(IllegalStateException.class,
        () -> ContraflowJob.requireDurableCheckpointDir(tmp));
    assertTrue(e.getMessage().contains("job.allowTemporaryCheckpointDir=true"), e.getMessage());
    assertDoesNotThrow(() -> ContraflowJob.requireDurableCheckpointDir(JobConfigLoader.defaults(
        List.of("job.allowTemporaryCheckpointDir=true"))));
    assertDoesNotThrow(() -> ContraflowJob.requireDurableCheckpointDir(JobConfigLoader.defaults(
        List.of("job.checkpointDir=file:///var/lib/contraflow/checkpoints"))));
    assertDoesNotThrow(() -> ContraflowJob.requireDurableCheckpointDir(JobConfigLoader.defaults(
        List.of("job.checkpointDir=file:///tmpfs-mount/checkpoints"))));
  }

  @Test
  void aTransactionTimeoutShorterThanCheckpointsAndRestartsIsRefused() {
    var e = assertThrows(InvalidJobConfigException.class, () -> JobConfigLoader.defaults(List.of(
        "kafka.transactionTimeout=60s", "job.checkpointInterval=10s",
        "job.checkpointTimeout=30s", "job.tolerableCheckpointFailures=0",
        "job.restartAttempts=11", "job.restartDelay=2s", "job.restartMaxDelay=2s")));
    assertTrue(e.getMessage().startsWith("kafka.transactionTimeout = PT1M"), e.getMessage());
    assertTrue(e.getMessage().contains("at least PT1M2S"), "10s + 30s + 11 x 2s = 62s: "
        + e.getMessage());
    assertDoesNotThrow(() -> JobConfigLoader.defaults(List.of("kafka.transactionTimeout=60s",
        "job.checkpointInterval=10s", "job.checkpointTimeout=30s",
        "job.tolerableCheckpointFailures=0", "job.restartAttempts=5", "job.restartDelay=2s",
        "job.restartMaxDelay=2s")), "10s + 30s + 5 x 2s = 50s fits in 60s");
  }

  @Test
  void restartsInARowDoubleTheirDelayUpToTheMaximumAndAllCountAgainstTheTransactionTimeout() {
    JobConfig config = JobConfigLoader.defaults(List.of("job.restartAttempts=6",
        "job.restartDelay=2s", "job.restartMaxDelay=10s"));
    assertEquals(java.time.Duration.ofSeconds(2 + 4 + 8 + 10 + 10 + 10),
        config.job().longestRestartSequence());
    var e = assertThrows(InvalidJobConfigException.class, () -> JobConfigLoader.defaults(List.of(
        "kafka.transactionTimeout=58s", "job.checkpointInterval=5s", "job.checkpointTimeout=10s",
        "job.tolerableCheckpointFailures=0", "job.restartAttempts=6", "job.restartDelay=2s",
        "job.restartMaxDelay=10s")));
    assertTrue(e.getMessage().contains("at least PT59S"), "5s + 10s + 44s: " + e.getMessage());
  }

  @Test
  void everyToleratedCheckpointFailureKeepsATransactionOpenOneMoreIntervalAndTimeout() {
    // a transaction commits with the next checkpoint that completes: with 2 failures tolerated
    // that is the third, (10s + 30s) x 3 = 120s, + 5 x 2s of restarts = 130s
    var e = assertThrows(InvalidJobConfigException.class, () -> JobConfigLoader.defaults(List.of(
        "kafka.transactionTimeout=60s", "job.checkpointInterval=10s",
        "job.checkpointTimeout=30s", "job.tolerableCheckpointFailures=2",
        "job.restartAttempts=5", "job.restartDelay=2s", "job.restartMaxDelay=2s")));
    assertTrue(e.getMessage().contains("at least PT2M10S"), e.getMessage());
    assertTrue(e.getMessage().contains("job.tolerableCheckpointFailures"), e.getMessage());
  }

  @Test
  void checkpointFailuresAreToleratedUpToTheConfiguredCountThenTheJobFailsOver() {
    Configuration flink = ContraflowJob.flinkConfiguration(JobConfigLoader.defaults(List.of(
        "job.tolerableCheckpointFailures=4", "job.checkpointTimeout=1min")));
    assertEquals(4, flink.get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER));
    var e = assertThrows(InvalidJobConfigException.class, () -> JobConfigLoader.defaults(
        List.of("job.tolerableCheckpointFailures=-1")));
    assertTrue(e.getMessage().startsWith("job.tolerableCheckpointFailures = -1"), e.getMessage());
  }

  @Test
  void theTransactionalIdPrefixIsStableForADeploymentAndDiffersBetweenTwoOfOneName() {
    JobConfig one = JobConfigLoader.defaults(List.of("job.checkpointDir=file:///a/ckpt"));
    JobConfig again = JobConfigLoader.defaults(List.of("job.checkpointDir=file:///a/ckpt"));
    JobConfig other = JobConfigLoader.defaults(List.of("job.checkpointDir=file:///b/ckpt"));
    JobConfig otherCluster = JobConfigLoader.defaults(List.of("job.checkpointDir=file:///a/ckpt",
        "kafka.bootstrapServers=kafka-2:9092"));
    assertEquals(ContraflowJob.transactionalIdPrefix(one),
        ContraflowJob.transactionalIdPrefix(again), "a restart keeps the prefix");
    assertTrue(ContraflowJob.transactionalIdPrefix(one).matches("contraflow-[0-9a-f]{12}"),
        ContraflowJob.transactionalIdPrefix(one));
    assertNotEquals(ContraflowJob.transactionalIdPrefix(one),
        ContraflowJob.transactionalIdPrefix(other));
    assertNotEquals(ContraflowJob.transactionalIdPrefix(one),
        ContraflowJob.transactionalIdPrefix(otherCluster));
    assertEquals("pinned", ContraflowJob.transactionalIdPrefix(JobConfigLoader.defaults(
        List.of("job.transactionalIdPrefix=pinned"))));
  }
}
