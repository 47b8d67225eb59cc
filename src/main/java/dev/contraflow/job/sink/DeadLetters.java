package dev.contraflow.job.sink;

import dev.contraflow.avro.DeadLetterRecord;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.source.KafkaInput;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds dead-letter outputs: the input's bytes and coordinates, and why it was rejected. */
public final class DeadLetters implements Serializable {

  private final String topic;
  private final RecordCodec<DeadLetterRecord> codec;

  public DeadLetters(String topic, RecordCodec<DeadLetterRecord> codec) {
    this.topic = topic;
    this.codec = codec;
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
    DeadLetterRecord r = DeadLetterRecord.newBuilder()
        .setSourceTopic(sourceTopic)
        .setPartition(partition)
        .setOffset(offset)
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setReason(reason)
        .setFailedAt(Instant.ofEpochMilli(now))
        .build();
    return new KafkaOutput(topic, key, codec.encode(r), now);
  }
}
