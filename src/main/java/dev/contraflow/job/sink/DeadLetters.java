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

  public KafkaOutput of(KafkaInput in, String reason, long now) {
    DeadLetterRecord r = DeadLetterRecord.newBuilder()
        .setSourceTopic(in.topic)
        .setPartition(in.partition)
        .setOffset(in.offset)
        .setKey(in.key == null ? null : ByteBuffer.wrap(in.key))
        .setValue(in.value == null ? null : ByteBuffer.wrap(in.value))
        .setReason(reason)
        .setFailedAt(Instant.ofEpochMilli(now))
        .build();
    return new KafkaOutput(topic, in.key, codec.encode(r), now);
  }
}
