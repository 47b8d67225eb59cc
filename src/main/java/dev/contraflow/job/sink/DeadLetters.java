package dev.contraflow.job.sink;

import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.RecordCodecs;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.learner.ModelPublisher;
import dev.contraflow.job.source.KafkaInput;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * Builds dead-letter outputs: the input's bytes and coordinates, and why it was rejected.
 *
 * <p>A dead letter is at most {@code limits.maxDeadLetterBytes} on the wire (issue 15: a refused
 * record copied whole could exceed what the dead-letter topic or the producer takes, and fail
 * the sink - and with it the job - on every replay). The key and the reason keep at most
 * {@link #KEY_BYTES} and {@link #REASON_CHARS}; the value keeps what is left after
 * {@link #RESERVED_BYTES}. A cut value is marked {@code truncated}, and every dead letter with a
 * value records its original length and SHA-256.
 */
public final class DeadLetters implements Serializable {

  /** The most of a Kafka key a dead letter keeps (as its key field and its own Kafka key). */
  public static final int KEY_BYTES = 4096;
  /** The most of a reason a dead letter keeps; reasons quote at most a little of the input. */
  public static final int REASON_CHARS = 2048;
  /**
   * Room kept for all but the value: key, reason (UTF-8, up to 3 bytes a char), coordinates,
   * digest, the Avro header and Kafka's record overhead.
   */
  public static final int RESERVED_BYTES = 16 << 10;

  private final String topic;
  private final RecordCodec<DeadLetterRecord> codec;
  private final int maxValueBytes;

  /** @param maxBytes limits.maxDeadLetterBytes, above {@link #RESERVED_BYTES} */
  public DeadLetters(String topic, RecordCodec<DeadLetterRecord> codec, int maxBytes) {
    if (maxBytes <= RESERVED_BYTES) {
      throw new IllegalArgumentException("a dead letter needs more than " + RESERVED_BYTES
          + " bytes, got " + maxBytes);
    }
    this.topic = topic;
    this.codec = codec;
    this.maxValueBytes = maxBytes - RESERVED_BYTES;
  }

  /** The dead letters of a job: its topic, wire format and {@code limits.maxDeadLetterBytes}. */
  public static DeadLetters of(JobConfig config) {
    String topic = config.topics().deadLetters();
    return new DeadLetters(topic, new RecordCodecs(config.records())
        .forTopic(DeadLetterRecord.class, topic), config.limits().maxDeadLetterBytes());
  }

  /** The dead letter of a Kafka record refused as it arrived, with its key and value. */
  public KafkaOutput of(KafkaInput in, String reason, long now) {
    return of(in.topic, in.partition, in.offset, in.key, in.value, reason, now);
  }

  /**
   * The dead letter of a record refused after decoding, when its bytes are no longer at hand: its
   * coordinates say where it still is in its input topic.
   */
  public KafkaOutput of(String sourceTopic, int partition, long offset, String reason, long now) {
    return of(sourceTopic, partition, offset, null, null, reason, now);
  }

  private KafkaOutput of(String sourceTopic, int partition, long offset, byte[] key,
      byte[] value, String reason, long now) {
    byte[] keptKey = cut(key, KEY_BYTES);
    byte[] keptValue = cut(value, maxValueBytes);
    String keptReason = reason.length() <= REASON_CHARS ? reason
        : reason.substring(0, REASON_CHARS - 3) + "...";
    DeadLetterRecord r = DeadLetterRecord.newBuilder()
        .setSourceTopic(sourceTopic)
        .setPartition(partition)
        .setOffset(offset)
        .setKey(keptKey == null ? null : ByteBuffer.wrap(keptKey))
        .setValue(keptValue == null ? null : ByteBuffer.wrap(keptValue))
        .setReason(keptReason)
        .setFailedAt(Instant.ofEpochMilli(now))
        .setValueSize(value == null ? null : value.length)
        .setValueSha256(value == null ? null : ModelPublisher.sha256(value))
        .setTruncated(keptKey != key || keptValue != value || !keptReason.equals(reason))
        .build();
    return new KafkaOutput(topic, keptKey, codec.encode(r), now);
  }

  /** {@code bytes} itself when it fits, else its first {@code max} bytes. */
  private static byte[] cut(byte[] bytes, int max) {
    return bytes == null || bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
  }
}
