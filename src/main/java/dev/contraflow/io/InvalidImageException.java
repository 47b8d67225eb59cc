package dev.contraflow.io;

import java.util.Objects;

/**
 * A record whose bytes are not a usable image: empty, of an unknown format, truncated or corrupt,
 * or larger than the decoder's pixel limit.
 *
 * <p>It is checked on purpose: one bad record in a stream must not crash the job, so the caller
 * has to decide, and the usual decision is to send the record to a dead-letter topic keyed by
 * {@link #recordId()} with {@link #reason()} as the explanation.
 */
public final class InvalidImageException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String recordId;
  private final String reason;

  /** @param reason human-readable, without the record id, e.g. "truncated PNG (...)" */
  public InvalidImageException(String recordId, String reason) {
    this(recordId, reason, null);
  }

  /** As {@link #InvalidImageException(String, String)}, keeping the decoder's exception. */
  public InvalidImageException(String recordId, String reason, Throwable cause) {
    super("image " + recordId + ": " + Objects.requireNonNull(reason, "reason"), cause);
    this.recordId = recordId;
    this.reason = reason;
  }

  /** The id of the record that could not be decoded. */
  public String recordId() {
    return recordId;
  }

  /** Why the record was rejected, without the id; suitable for a dead letter. */
  public String reason() {
    return reason;
  }
}
