package dev.contraflow.io.text;

import dev.contraflow.io.record.InvalidRecordException;

/**
 * A record whose text cannot be a training sentence: empty after normalisation, or longer than
 * the tokenizer's character limit; a dead letter with {@link #reason()}.
 */
public final class InvalidSentenceException extends InvalidRecordException {

  private static final long serialVersionUID = 1L;

  /** @param reason human-readable, without the record id, e.g. "empty text" */
  public InvalidSentenceException(String recordId, String reason) {
    super("sentence", recordId, reason, null);
  }
}
