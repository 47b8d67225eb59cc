package dev.contraflow.io.record;

import java.util.Objects;

/**
 * A record that cannot be used (an undecodable image, an empty sentence ...).
 *
 * <p>It is checked on purpose: one bad record in a stream must not crash the job, so the caller
 * has to decide, and the usual decision is to send the record to a dead-letter topic keyed by
 * {@link #recordId()} with {@link #reason()} as the explanation.
 */
public abstract class InvalidRecordException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String recordId;
  private final String reason;

  /**
   * @param kind what the record should have been, e.g. "image"
   * @param reason human-readable, without the record id
   */
  protected InvalidRecordException(String kind, String recordId, String reason, Throwable cause) {
    super(kind + " " + recordId + ": " + Objects.requireNonNull(reason, "reason"), cause);
    this.recordId = recordId;
    this.reason = reason;
  }

  /** The id of the record that was refused. */
  public String recordId() {
    return recordId;
  }

  /** Why the record was refused, without the id; suitable for a dead letter. */
  public String reason() {
    return reason;
  }
}
