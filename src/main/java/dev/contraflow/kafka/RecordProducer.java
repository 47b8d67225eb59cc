package dev.contraflow.kafka;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes already-encoded values to a topic (idempotent producer, acks=all). */
public final class RecordProducer implements AutoCloseable {

  private final KafkaProducer<byte[], byte[]> producer;
  private volatile Exception failure;

  public RecordProducer(String bootstrapServers, Map<String, String> clientProperties) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    // On a loaded machine a request can outlast the 30 s default; a timed-out batch retried
    // behind later ones then meets the broker's sequence check (OutOfOrderSequenceException)
    // and stalls the producer. One request in flight and a generous timeout avoid both.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "120000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES));
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Sends without waiting; {@link #flush()} waits for everything sent and fails if any failed. */
  public void send(String topic, byte[] key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key, value), (meta, e) -> {
      if (e != null && failure == null) {
        failure = e;
      }
    });
  }

  /** Sends and waits for the broker's acknowledgement. */
  public void sendNow(String topic, byte[] key, byte[] value)
      throws ExecutionException, InterruptedException {
    producer.send(new ProducerRecord<>(topic, key, value)).get();
  }

  public void flush() {
    producer.flush();
    if (failure != null) {
      throw new IllegalStateException("a record could not be written: " + failure.getMessage(),
          failure);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
