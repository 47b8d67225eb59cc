package dev.contraflow.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where serve's bearer token comes from: a file, or an environment variable (issue 14). */
class BearerTokenTest {

  private static final String TOKEN = "0123456789abcdef0123";

  @Test
  void aTokenFromTheEnvironmentIsAcceptedAsOneFromAFile(@TempDir Path dir) throws Exception {
    BearerToken fromEnv = BearerToken.fromEnv("CONTRAFLOW_SERVE_TOKEN", TOKEN + "\n");
    BearerToken fromFile = BearerToken.fromFile(Files.writeString(dir.resolve("t"), TOKEN));

    assertTrue(fromEnv.accepts("Bearer " + TOKEN));
    assertFalse(fromEnv.accepts("Bearer " + TOKEN + "x"));
    assertEquals(fromFile.header(), fromEnv.header());
  }

  @Test
  void anUnsetVariableIsNamedAndAShortTokenIsRefusedWithoutShowingIt() {
    IllegalArgumentException unset = assertThrows(IllegalArgumentException.class,
        () -> BearerToken.fromEnv("NO_SUCH_TOKEN", null));
    assertEquals("--auth-token-env = NO_SUCH_TOKEN is invalid: the environment variable "
        + "NO_SUCH_TOKEN is not set", unset.getMessage());

    IllegalArgumentException shortToken = assertThrows(IllegalArgumentException.class,
        () -> BearerToken.fromEnv("SHORT", "hunter2"));
    assertTrue(shortToken.getMessage().startsWith("--auth-token-env = SHORT is invalid"),
        shortToken.getMessage());
    assertFalse(shortToken.getMessage().contains("hunter2"));
  }

  @Test
  void aFileAndAVariableTogetherAreRefused(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("t"), TOKEN);
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> new HttpOptions(HttpOptions.LOOPBACK, 1, 1, Duration.ofSeconds(1), 2, file, "T",
            null, null));
    assertEquals("--auth-token-env = T is invalid: give --auth-token-file or --auth-token-env, "
        + "not both", both.getMessage());
    assertTrue(HttpOptions.defaults().withAuthTokenEnv("T").tokenRequired());
  }
}
