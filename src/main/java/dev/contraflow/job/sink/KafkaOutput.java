package dev.contraflow.job.sink;

/**
 * A record for one of the job's output topics (embeddings, checkpoints, dead letters), already
 * encoded: one exactly-once sink writes them all, so they commit in the same transaction as the
 * learner state that produced them.
 */
public class KafkaOutput {
  public String topic;
  public byte[] key;
  public byte[] value;
  /** Kafka record timestamp (ms). */
  public long timestamp;

  public KafkaOutput() {}

  public KafkaOutput(String topic, byte[] key, byte[] value, long timestamp) {
    this.topic = topic;
    this.key = key;
    this.value = value;
    this.timestamp = timestamp;
  }
}
