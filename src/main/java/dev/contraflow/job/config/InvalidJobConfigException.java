package dev.contraflow.job.config;

/** A job setting is missing or wrong; the message names the setting, the value and the fix. */
public final class InvalidJobConfigException extends IllegalArgumentException {

  public InvalidJobConfigException(String message) {
    super(message);
  }
}
