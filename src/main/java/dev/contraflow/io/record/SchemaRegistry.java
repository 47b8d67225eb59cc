package dev.contraflow.io.record;

import java.io.Serializable;
import org.apache.avro.Schema;

/**
 * The part of a Confluent Schema Registry that the {@link WireFormat#CONFLUENT} codec needs:
 * schemas by id to read, an id for a subject's schema to write. Implemented here without
 * Confluent's client libraries, which are not on Maven Central.
 *
 * <p>Serializable because codecs holding it travel inside Flink operators.
 */
public interface SchemaRegistry extends Serializable {

  /**
   * The Avro schema registered under {@code id}. Ids never change their schema, so callers may
   * cache the answer.
   *
   * @throws UnknownSchemaIdException the registry has no Avro schema under this id: a property of
   *     the record that carries it, so a reason for a dead letter
   * @throws SchemaRegistryException the registry could not answer (unreachable, an error): not the
   *     record's fault, so the caller should fail and retry rather than dead-letter
   */
  Schema schemaById(int id) throws UnknownSchemaIdException;

  /**
   * The id of {@code schema} under {@code subject}, registering it as the subject's newest
   * version if it is not yet there.
   *
   * @throws SchemaRegistryException the registry refused it (incompatible with the subject's
   *     earlier versions, invalid) or could not answer
   */
  int register(String subject, Schema schema);

  /** Where the registry is, for messages: its URL, or a name for an in-memory one. */
  String location();
}
