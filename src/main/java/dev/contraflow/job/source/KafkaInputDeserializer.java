package dev.contraflow.job.source;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes every Kafka record on untouched. Decoding happens in the next operator, where a bad
 * record becomes a dead letter instead of failing the source (which would restart the job and
 * meet the same record again).
 */
public final class KafkaInputDeserializer implements KafkaRecordDeserializationSchema<KafkaInput> {

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<KafkaInput> out) {
    out.collect(new KafkaInput(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(),
        r.value()));
  }

  @Override
  public TypeInformation<KafkaInput> getProducedType() {
    return TypeInformation.of(KafkaInput.class);
  }
}
