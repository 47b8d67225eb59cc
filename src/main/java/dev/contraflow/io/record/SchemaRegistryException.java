package dev.contraflow.io.record;

/**
 * A Schema Registry that could not answer or refused a schema. Unchecked: no record is at fault,
 * so a job should fail and retry from its checkpoint instead of dead-lettering records until the
 * registry is back.
 */
public final class SchemaRegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SchemaRegistryException(String message) {
    super(message);
  }

  public SchemaRegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
