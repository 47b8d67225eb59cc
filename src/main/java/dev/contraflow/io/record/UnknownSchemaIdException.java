package dev.contraflow.io.record;

/**
 * A schema id the registry has no Avro schema for. Checked, like {@link
 * UndecodableRecordException}: the id comes from a record, so it is the record that is bad, not
 * the job.
 */
public final class UnknownSchemaIdException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int id;

  /** @param reason the whole reason, naming the id and the registry */
  public UnknownSchemaIdException(int id, String reason) {
    super(reason);
    this.id = id;
  }

  public int id() {
    return id;
  }
}
