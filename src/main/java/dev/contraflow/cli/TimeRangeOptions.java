package dev.contraflow.cli;

import dev.contraflow.kafka.TimeRange;
import picocli.CommandLine.Option;

/** --from / --to: a time range of a topic's records (Kafka timestamps). */
final class TimeRangeOptions {

  @Option(names = "--from", description = "First record time: epoch ms or ISO instant "
      + "(2026-11-23T10:00:00Z); default: the beginning.")
  String from;

  @Option(names = "--to", description = "End time, exclusive, as --from; default: the end now.")
  String to;

  TimeRange range() {
    return TimeRange.parse(from, to);
  }
}
