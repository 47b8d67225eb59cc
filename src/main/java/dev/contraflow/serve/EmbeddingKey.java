package dev.contraflow.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The table's key: one embedding per input id and model. Two models embedding the same image are
 * two rows, never one overwriting the other.
 *
 * <p>Bytes: the model id's UTF-8 length (4 bytes, big-endian), the model id, then the id. The
 * length prefix keeps ("ab", "c") apart from ("a", "bc"), and makes {@link #modelPrefix} a byte
 * prefix of every key of that model, so a store can scan one model's rows.
 */
public record EmbeddingKey(String modelId, String id) {

  public EmbeddingKey {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(id, "id");
  }

  /** The Kafka Streams serde of the table's stores. */
  public static Serde<EmbeddingKey> serde() {
    return Serdes.serdeFrom(EmbeddingKey::serialize, EmbeddingKey::deserialize);
  }

  /** Serializes a model id to the prefix every key of that model starts with. */
  static Serializer<String> modelPrefix() {
    return (topic, modelId) -> {
      byte[] model = modelId.getBytes(StandardCharsets.UTF_8);
      return ByteBuffer.allocate(Integer.BYTES + model.length).putInt(model.length).put(model)
          .array();
    };
  }

  private static byte[] serialize(String topic, EmbeddingKey key) {
    if (key == null) {
      return null;
    }
    byte[] id = key.id.getBytes(StandardCharsets.UTF_8);
    byte[] model = key.modelId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytes = ByteBuffer.allocate(Integer.BYTES + model.length + id.length);
    bytes.putInt(model.length).put(model).put(id);
    return bytes.array();
  }

  private static EmbeddingKey deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int modelLength = in.getInt();
    if (modelLength < 0 || modelLength > in.remaining()) {
      // Only this class writes the stores, so this is a corrupt store, not a user's mistake.
      throw new IllegalStateException("not an embedding key: model id length " + modelLength
          + " in " + bytes.length + " bytes");
    }
    String model = new String(bytes, Integer.BYTES, modelLength, StandardCharsets.UTF_8);
    int idStart = Integer.BYTES + modelLength;
    String id = new String(bytes, idStart, bytes.length - idStart, StandardCharsets.UTF_8);
    return new EmbeddingKey(model, id);
  }
}
