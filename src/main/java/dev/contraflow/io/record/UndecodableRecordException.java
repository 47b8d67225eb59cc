package dev.contraflow.io.record;

import java.util.Objects;

/**
 * Bytes that are not a record of the expected type: empty, of another wire format, written with
 * an unknown schema, truncated or corrupt. The message is the reason, written for a person reading
 * a dead-letter topic, e.g. "unknown schema id 17 in registry http://registry:8081".
 *
 * <p>It is checked on purpose: one bad record in a stream must not crash the job, so the caller
 * has to decide, and the usual decision is a dead letter carrying the original bytes and this
 * reason.
 */
public final class UndecodableRecordException extends Exception {

  private static final long serialVersionUID = 1L;

  /** @param reason human-readable: what is wrong with the bytes, e.g. "truncated Avro body: ..." */
  public UndecodableRecordException(String reason) {
    this(reason, null);
  }

  /** As {@link #UndecodableRecordException(String)}, keeping the decoder's exception. */
  public UndecodableRecordException(String reason, Throwable cause) {
    super(Objects.requireNonNull(reason, "reason"), cause);
  }
}
