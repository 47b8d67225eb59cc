package dev.contraflow.io.image;

import dev.contraflow.io.record.InvalidRecordException;

/**
 * A record whose bytes are not a usable image: empty, of an unknown format, truncated or corrupt,
 * or larger than the decoder's pixel limit.
 * A dead letter with {@link #reason()}.
 */
public final class InvalidImageException extends InvalidRecordException {

  private static final long serialVersionUID = 1L;

  /** @param reason human-readable, without the record id, e.g. "truncated PNG (...)" */
  public InvalidImageException(String recordId, String reason) {
    this(recordId, reason, null);
  }

  /** As {@link #InvalidImageException(String, String)}, keeping the decoder's exception. */
  public InvalidImageException(String recordId, String reason, Throwable cause) {
    super("image", recordId, reason, cause);
  }
}
