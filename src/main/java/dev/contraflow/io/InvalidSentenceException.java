package dev.contraflow.io;

import java.util.Objects;

/**
 * A record whose text cannot be a training sentence: empty after normalisation, or longer than
 * the tokenizer's character limit.
 *
 * <p>Checked on purpose, like {@link InvalidImageException}: the caller decides, and the usual
 * decision is a dead letter keyed by {@link #recordId()} with {@link #reason()} as explanation.
 */
public final class InvalidSentenceException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String recordId;
  private final String reason;

  /** @param reason human-readable, without the record id, e.g. "empty text" */
  public InvalidSentenceException(String recordId, String reason) {
    super("sentence " + recordId + ": " + Objects.requireNonNull(reason, "reason"));
    this.recordId = recordId;
    this.reason = reason;
  }

  public String recordId() {
    return recordId;
  }

  /** Why the record was rejected, without the id; suitable for a dead letter. */
  public String reason() {
    return reason;
  }
}
