package dev.contraflow.augment;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Constructors must reject bad values with a message naming the field and the value. */
final class Rejection {

  private Rejection() {}

  static void assertRejected(String field, String value, Runnable construct) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct::run);
    assertTrue(e.getMessage().contains(field) && e.getMessage().contains(value),
        () -> "message should name " + field + " and " + value + ": " + e.getMessage());
  }
}
