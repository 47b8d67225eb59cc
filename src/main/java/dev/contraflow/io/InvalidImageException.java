package dev.contraflow.io;

/**
 * An image record that cannot be used: empty, corrupt, truncated, of an unknown format, or larger
 * than the configured pixel limit. Checked, so a stream job must decide what to do with it (send
 * it to the dead-letter topic with {@link #reason()}) rather than crash.
 */
public final class InvalidImageException extends Exception {

  private final String recordId;
  private final String reason;

  public InvalidImageException(String recordId, String reason) {
    this(recordId, reason, null);
  }

  public InvalidImageException(String recordId, String reason, Throwable cause) {
    super("image " + recordId + ": " + reason, cause);
    this.recordId = recordId;
    this.reason = reason;
  }

  public String recordId() {
    return recordId;
  }

  /** Human-readable, without the record id; suitable for a dead letter. */
  public String reason() {
    return reason;
  }
}
