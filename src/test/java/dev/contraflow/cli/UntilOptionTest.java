package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code learn --until}: a time, partition offsets or "latest", as kafka.stopping* settings. */
class UntilOptionTest {

  private static JobConfig.Kafka kafka(String... args) {
    UntilOption until = new UntilOption();
    new CommandLine(until).parseArgs(args);
    return JobConfigLoader.defaults(until.asJobSettings()).kafka();
  }

  @Test
  void withoutUntilTheStreamIsUnbounded() {
    assertEquals(JobConfig.StoppingOffsets.NONE, kafka().stoppingOffsets());
  }

  @Test
  void aTimeStopsAtTheFirstRecordAtOrAfterIt() {
    JobConfig.Kafka k = kafka("--until", "2026-11-23T10:00:00Z");
    assertEquals(JobConfig.StoppingOffsets.TIMESTAMP, k.stoppingOffsets());
    assertEquals(1795428000000L, JobConfig.Kafka.startingMillis(k.stoppingTimestamp()));
    assertEquals("1795428000000", kafka("--until", "1795428000000").stoppingTimestamp());
  }

  @Test
  void offsetsNamePartitions() {
    JobConfig.Kafka k = kafka("--until", "0:5000,1:4800");
    assertEquals(JobConfig.StoppingOffsets.OFFSETS, k.stoppingOffsets());
    assertEquals(Map.of(0, 5000L, 1, 4800L), k.stoppingPartitionOffsets());
  }

  @Test
  void latestIsTheEndWhenTheJobStarts() {
    assertEquals(JobConfig.StoppingOffsets.LATEST, kafka("--until", "latest").stoppingOffsets());
  }

  @Test
  void anythingElseIsRefusedWithTheForms() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> kafka("--until", "tomorrow"));
    assertTrue(e.getMessage().contains("partition:offset"), e.getMessage());
  }

  @Test
  void learnTakesUntil() {
    assertTrue(new CommandLine(new LearnCommand()).getCommandSpec().optionsMap()
        .containsKey("--until"), List.of("learn has --until").toString());
  }
}
