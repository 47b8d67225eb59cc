package dev.contraflow.job.sink;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Each output names its own topic; Kafka's partitioner places it by key. */
public final class KafkaOutputSerializer implements KafkaRecordSerializationSchema<KafkaOutput> {

  @Override
  public ProducerRecord<byte[], byte[]> serialize(KafkaOutput out, KafkaSinkContext context,
      Long timestamp) {
    return new ProducerRecord<>(out.topic, null, out.timestamp, out.key, out.value);
  }
}
