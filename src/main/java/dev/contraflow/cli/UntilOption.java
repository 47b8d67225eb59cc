package dev.contraflow.cli;

import dev.contraflow.job.config.JobConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * {@code --until}: a bounded replay. The job reads each input topic up to that point, trains on
 * and embeds the last partial micro-batch, publishes, and finishes; the command then exits with
 * its summary. As job settings, {@code kafka.stoppingOffsets} and its value.
 */
final class UntilOption {

  /** partition:offset pairs, comma-separated: 0:5000,1:4800. */
  private static final Pattern OFFSETS = Pattern.compile("\\d+:\\d+(,\\d+:\\d+)*");

  @Option(names = "--until", paramLabel = "TIME|OFFSETS|latest", description = {
      "Bounded replay: read each input topic only up to this point (exclusive), then train on"
          + " and embed the last partial micro-batch, publish, and stop (exit 0 with the"
          + " summary). TIME: epoch ms or ISO instant (2026-11-23T10:00:00Z); OFFSETS:"
          + " partition:offset pairs (0:5000,1:4800) for every input topic; latest: the end of"
          + " each topic when the job starts. Same as --set kafka.stoppingOffsets=..."})
  String until;

  /** The settings --until stands for; none without it. */
  List<String> asJobSettings() {
    if (until == null) {
      return List.of();
    }
    String u = until.strip();
    if (u.equalsIgnoreCase("latest")) {
      return List.of("kafka.stoppingOffsets=" + JobConfig.StoppingOffsets.LATEST);
    }
    if (OFFSETS.matcher(u).matches()) {
      List<String> pairs = new ArrayList<>();
      for (String pair : u.split(",")) {
        String[] po = pair.split(":");
        pairs.add(po[0] + ": " + po[1]);
      }
      return List.of("kafka.stoppingOffsets=" + JobConfig.StoppingOffsets.OFFSETS,
          "kafka.stoppingPartitionOffsets={" + String.join(", ", pairs) + "}");
    }
    if (JobConfig.Kafka.startingMillis(u) < 0) {
      throw new IllegalArgumentException("--until = " + until + " is neither a time (epoch"
          + " milliseconds or an ISO instant such as 2026-11-23T10:00:00Z), nor partition:offset"
          + " pairs (0:5000,1:4800), nor 'latest'");
    }
    return List.of("kafka.stoppingOffsets=" + JobConfig.StoppingOffsets.TIMESTAMP,
        "kafka.stoppingTimestamp=" + u);
  }
}
