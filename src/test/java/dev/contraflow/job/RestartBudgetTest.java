package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.EmbeddingRecord;
import dev.contraflow.io.image.Image;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import dev.contraflow.job.decode.LearnerInput;
import dev.contraflow.kafka.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code job.restartAttempts} counts restarts in a row, not over the job's life: a streaming job
 * runs for months, and a budget that only ever shrinks fails it for good at some ordinary fault
 * long after the last one. {@code job.restartResetAfter} of running without a failure starts the
 * count over.
 */
@Tag("slow")
class RestartBudgetTest {

  /** Ids of the records that fail the job once each, when they first reach the learner. */
  static final Set<String> FAIL_AT = ConcurrentHashMap.newKeySet();

  @Test
  void failuresFurtherApartThanTheResetTimeNeverUseUpTheRestartAttempts(@TempDir Path dir)
      throws Exception {
    List<Image> images = StreamingStack.images(16); // 2 batches of 8
    try (StreamingStack stack = StreamingStack.start(dir)) {
      JobConfig config = stack.config("budget", "job.restartAttempts=1",
          "job.restartResetAfter=2s", "job.restartDelay=200ms", "job.batchTimeout=1h");
      TopicReader<EmbeddingRecord> embeddings = stack.embeddings(config);
      FAIL_AT.addAll(Set.of("3", "11"));
      JobClient job = stack.run(config, stream -> stream.map(new FailAt()), null);
      try {
        stack.produce(config, images.subList(0, 8), null); // fails at "3", restarts once
        await(() -> embeddings.count() >= 8, Duration.ofSeconds(120),
            () -> embeddings.count() + " of 8 embeddings after the first failure");
        Thread.sleep(3_000); // running past restartResetAfter: the first failure is forgotten
        stack.produce(config, images.subList(8, 16), null); // fails at "11"
        await(() -> embeddings.count() >= 16 || jobEnded(job), Duration.ofSeconds(120),
            () -> embeddings.count() + " of 16 embeddings after the second failure");
        assertTrue(FAIL_AT.isEmpty(), "both failures happened: " + FAIL_AT);
        assertFalse(jobEnded(job), "one restart in a row allowed, and the job ran 3 s without a "
            + "failure since: the second failure must restart it, not fail it for good");
        assertEquals(16, embeddings.count());
      } finally {
        if (!jobEnded(job)) {
          job.cancel().get();
        }
      }
    }
  }

  @Test
  void restartsBackOffExponentiallyAndResetAfterAQuietSpell() {
    Configuration flink = ContraflowJob.flinkConfiguration(JobConfigLoader.defaults(List.of(
        "job.restartAttempts=4", "job.restartDelay=3s", "job.restartMaxDelay=40s",
        "job.restartResetAfter=7min")));
    assertEquals("exponential-delay", flink.get(RestartStrategyOptions.RESTART_STRATEGY));
    assertEquals(4, flink.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS));
    assertEquals(Duration.ofSeconds(3), flink.get(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF));
    assertEquals(Duration.ofSeconds(40), flink.get(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF));
    assertEquals(Duration.ofMinutes(7), flink.get(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD));
    assertEquals(0.0, flink.get(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR),
        "no jitter: the delays sum to what the transaction timeout is checked against");
  }

  private static boolean jobEnded(JobClient job) {
    try {
      return job.getJobStatus().get().isGloballyTerminalState();
    } catch (Exception e) {
      return true;
    }
  }

  /** Throws once for each id in FAIL_AT, the first time that record reaches it. */
  static final class FailAt implements MapFunction<LearnerInput, LearnerInput> {
    @Override
    public LearnerInput map(LearnerInput in) {
      if (FAIL_AT.remove(in.id)) {
        throw new IllegalStateException("injected failure at record " + in.id);
      }
      return in;
    }
  }
}
