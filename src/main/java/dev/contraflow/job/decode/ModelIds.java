package dev.contraflow.job.decode;

import java.util.regex.Pattern;

/**
 * What a modelId may be. An id names a Flink key, a metric group, the record key of checkpoint
 * records and a folder of the model store (issue 15: {@code ../}, {@code /}, {@code :} or a
 * 300-byte id escaped the store or failed the key's every publish), so it is a short safe name:
 * ASCII letters, digits, {@code .}, {@code _} and {@code -}, starting with a letter or digit (so
 * never {@code .} or {@code ..}), at most {@value #MAX_LENGTH} characters - a file name of the id
 * with its tag, version and suffix then stays far below the usual 255-byte limit.
 */
public final class ModelIds {

  /** Longest id; every character is ASCII, so also its length in bytes. */
  public static final int MAX_LENGTH = 128;
  /** The rule as messages state it. */
  public static final String RULE = "1-" + MAX_LENGTH
      + " of [A-Za-z0-9._-], starting with a letter or digit";

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  /** How much of a refused id a message quotes: a 1 MB id is not echoed into every log. */
  private static final int QUOTED = 40;

  private ModelIds() {}

  /** Whether {@code id} follows the rule. */
  public static boolean isValid(String id) {
    return problem(id) == null;
  }

  /** Why {@code id} is not a valid modelId (quoting at most its start), or null if it is. */
  public static String problem(String id) {
    if (id == null || id.isEmpty()) {
      return "modelId is empty: use " + RULE;
    }
    if (id.length() > MAX_LENGTH) {
      return "modelId of " + id.length() + " characters (" + quote(id) + ") is too long: use "
          + RULE;
    }
    if (!SAFE.matcher(id).matches()) {
      return "modelId " + quote(id) + " is not a safe name: use " + RULE;
    }
    return null;
  }

  private static String quote(String id) {
    String start = id.length() <= QUOTED ? id : id.substring(0, QUOTED) + "...";
    return '"' + start.replaceAll("\\p{Cntrl}", "?") + '"';
  }
}
