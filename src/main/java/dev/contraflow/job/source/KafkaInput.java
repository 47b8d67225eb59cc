package dev.contraflow.job.source;

/**
 * One Kafka record exactly as it arrived: nothing is decoded yet, so a record that cannot be used
 * still has its bytes and coordinates for the dead-letter topic. A Flink POJO (public fields,
 * no-argument constructor) so it travels without Kryo.
 */
public class KafkaInput {
  public String topic;
  public int partition;
  public long offset;
  /** Kafka record timestamp (ms). */
  public long timestamp;
  public byte[] key;
  public byte[] value;

  public KafkaInput() {}

  public KafkaInput(String topic, int partition, long offset, long timestamp, byte[] key,
      byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
  }

  /** topic-partition@offset, for messages. */
  public String coordinates() {
    return topic + "-" + partition + "@" + offset;
  }
}
