package dev.contraflow.kafka;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Records of a topic with Kafka timestamps in [fromMillis, toMillis): how replays, evaluations
 * and backfills name the part of a stream they read.
 */
public record TimeRange(long fromMillis, long toMillis) {

  public TimeRange {
    if (fromMillis < 0 || toMillis < fromMillis) {
      throw new IllegalArgumentException("time range [" + fromMillis + ", " + toMillis
          + ") is empty or negative; give --from before --to");
    }
  }

  /** The whole topic as it is now. */
  public static TimeRange all() {
    return new TimeRange(0, Long.MAX_VALUE);
  }

  /** From the command line: either may be null (open end), each epoch ms or an ISO instant. */
  public static TimeRange parse(String from, String to) {
    return new TimeRange(from == null ? 0 : millis("--from", from),
        to == null ? Long.MAX_VALUE : millis("--to", to));
  }

  private static long millis(String option, String text) {
    try {
      return text.matches("\\d+") ? Long.parseLong(text) : Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " = " + text + " is neither epoch "
          + "milliseconds nor an ISO instant such as 2026-11-23T10:00:00Z");
    }
  }

  /**
   * Assigns every partition of {@code topic} to the consumer at the range's start and returns
   * the offsets where the range ends (the end offsets now, for an open end).
   */
  public Map<TopicPartition, Long> assign(KafkaConsumer<?, ?> consumer, String topic,
      java.time.Duration timeout) {
    List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
        .map(i -> new TopicPartition(topic, i.partition())).toList();
    if (partitions.isEmpty()) {
      throw new IllegalArgumentException("topic " + topic + " does not exist");
    }
    consumer.assign(partitions);
    Map<TopicPartition, Long> latest = consumer.endOffsets(partitions, timeout);
    Map<TopicPartition, Long> start = offsetsAt(consumer, partitions, fromMillis, latest);
    Map<TopicPartition, Long> end = toMillis == Long.MAX_VALUE ? latest
        : offsetsAt(consumer, partitions, toMillis, latest);
    start.forEach(consumer::seek);
    return end;
  }

  private static Map<TopicPartition, Long> offsetsAt(KafkaConsumer<?, ?> consumer,
      List<TopicPartition> partitions, long millis, Map<TopicPartition, Long> latest) {
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(tp -> query.put(tp, millis));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp o = found.get(tp);
      offsets.put(tp, o == null ? latest.get(tp) : o.offset());
    }
    return offsets;
  }

  /** Whether the consumer has read every partition up to {@code end}. */
  public static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }
}
