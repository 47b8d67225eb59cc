package dev.contraflow.io;

/** Bytes that are not a record of the expected type; the message says why. */
public final class UndecodableRecordException extends Exception {
  public UndecodableRecordException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
