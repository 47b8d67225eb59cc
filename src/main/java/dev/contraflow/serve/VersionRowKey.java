package dev.contraflow.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The key of the by-version store: one row per (modelId, modelVersion, id), so that the versions
 * of one id coexist and a version can be read, counted and evicted as a whole (issue 13).
 *
 * <p>Bytes: the model id's UTF-8 length (4 bytes, big-endian) and the model id, as {@link
 * EmbeddingKey} starts; then the version (8 bytes, big-endian, sign bit flipped so that byte order
 * is numeric order); then the id. So {@link EmbeddingKey#modelPrefix} is a prefix of every row of
 * a model (its versions in ascending order), and {@link #versionPrefix} of every row of one
 * version. With an empty id the key is the version's prefix itself: the key of the version counts.
 */
record VersionRowKey(String modelId, long version, String id) {

  VersionRowKey {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(id, "id");
  }

  /** The key of a whole version (the version counts store's key). */
  static VersionRowKey ofVersion(String modelId, long version) {
    return new VersionRowKey(modelId, version, "");
  }

  static Serde<VersionRowKey> serde() {
    return Serdes.serdeFrom(VersionRowKey::serialize, VersionRowKey::deserialize);
  }

  /** Serializes (modelId, version) to the prefix every row of that version starts with. */
  static Serializer<VersionRowKey> versionPrefix() {
    return (topic, key) -> serialize(topic, ofVersion(key.modelId, key.version));
  }

  private static byte[] serialize(String topic, VersionRowKey key) {
    if (key == null) {
      return null;
    }
    byte[] model = key.modelId.getBytes(StandardCharsets.UTF_8);
    byte[] id = key.id.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(Integer.BYTES + model.length + Long.BYTES + id.length)
        .putInt(model.length).put(model).putLong(key.version ^ Long.MIN_VALUE).put(id).array();
  }

  private static VersionRowKey deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int modelLength = in.getInt();
    if (modelLength < 0 || modelLength + Long.BYTES > in.remaining()) {
      // Only the table writes this store, so this is a corrupt store, not a user's mistake.
      throw new IllegalStateException("not a version row key: model id length " + modelLength
          + " in " + bytes.length + " bytes");
    }
    String model = new String(bytes, Integer.BYTES, modelLength, StandardCharsets.UTF_8);
    in.position(Integer.BYTES + modelLength);
    long version = in.getLong() ^ Long.MIN_VALUE;
    String id = new String(bytes, in.position(), in.remaining(), StandardCharsets.UTF_8);
    return new VersionRowKey(model, version, id);
  }
}
