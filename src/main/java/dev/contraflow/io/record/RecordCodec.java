package dev.contraflow.io.record;

import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns records of one class generated from schemas/*.avsc into Kafka value bytes and back, in
 * one {@link WireFormat}.
 *
 * <p>Decoding is the job's front door, so it never fails with anything but {@link
 * UndecodableRecordException}, whatever the bytes (null, empty, another format, truncated,
 * garbage), and never lets a few garbage bytes claim gigabytes of memory. The one exception
 * that is not about the bytes: a Schema Registry that cannot be reached is a {@link
 * SchemaRegistryException}, so the job fails and retries instead of dead-lettering every record
 * of the outage.
 *
 * <p>Codecs are serializable, because they travel inside Flink operators, and thread-safe. A
 * deserialized codec builds its own Avro readers and writers, which are not serializable.
 *
 * @param <T> the generated record class, e.g. {@code ImageRecord}
 */
public interface RecordCodec<T extends SpecificRecord> extends Serializable {

  /** The record in this codec's wire format, written with the generated class's schema. */
  byte[] encode(T record);

  /**
   * The record these bytes hold, resolved to the generated class's schema if they were written
   * with another version of it.
   *
   * @throws UndecodableRecordException whatever is wrong with the bytes; the message is a reason
   *     for a dead letter
   */
  T decode(byte[] bytes) throws UndecodableRecordException;

  WireFormat wireFormat();

  /**
   * Avro single-object encoding, reading records written with the generated class's schema or
   * with one of its earlier versions this build bundles ({@link OlderSchemas}).
   */
  static <T extends SpecificRecord> RecordCodec<T> singleObject(Class<T> type) {
    return singleObject(type, OlderSchemas.of(type));
  }

  /**
   * Avro single-object encoding that also reads records written with older versions of the
   * schema. A single-object header names its writer schema only by fingerprint, so a reader can
   * resolve exactly the versions it is given here.
   *
   * @param olderWriterSchemas earlier versions of the type's schema, e.g. parsed from .avsc files
   *     kept when the schema changed
   * @throws IllegalArgumentException when one of them cannot be resolved to the current schema
   */
  static <T extends SpecificRecord> RecordCodec<T> singleObject(
      Class<T> type, Collection<Schema> olderWriterSchemas) {
    return new SingleObjectCodec<>(type, olderWriterSchemas);
  }

  /**
   * Confluent Schema Registry wire format. Encoding registers the generated class's schema under
   * {@code subject} once (Confluent's serializers do the same by default); decoding fetches writer
   * schemas by id, so records written with any compatible version are read.
   *
   * @param subject the registry subject, by Confluent's default naming the topic's name followed
   *     by "-value", e.g. "images-value"
   */
  static <T extends SpecificRecord> RecordCodec<T> confluent(
      Class<T> type, SchemaRegistry registry, String subject) {
    return new ConfluentCodec<>(type, registry, subject);
  }
}
