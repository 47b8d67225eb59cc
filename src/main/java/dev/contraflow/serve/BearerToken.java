package dev.contraflow.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The shared secret every request but {@code /health} must carry as {@code Authorization: Bearer
 * <token>}. Compared in constant time: both sides are hashed first, so neither the token's
 * content nor its length shows in how long a wrong guess takes.
 */
final class BearerToken {

  static final int MIN_LENGTH = 16;
  private static final String SCHEME = "Bearer ";

  private final byte[] digest;
  private final String token;

  private BearerToken(String token) {
    this.token = token;
    this.digest = sha256(SCHEME + token);
  }

  /** The token {@code options} name (a file or an environment variable), or null for none. */
  static BearerToken of(HttpOptions options) throws IOException {
    if (options.authTokenFile() != null) {
      return fromFile(options.authTokenFile());
    }
    return options.authTokenEnv() == null ? null
        : fromEnv(options.authTokenEnv(), System.getenv(options.authTokenEnv()));
  }

  /** The first line of the file, without surrounding white space. */
  static BearerToken fromFile(Path file) throws IOException {
    return checked(Files.readString(file, StandardCharsets.UTF_8), "--auth-token-file = " + file);
  }

  /**
   * The value of environment variable {@code name} ({@code value}, null when it is not set):
   * a secret that a container platform injects, never on the command line or on disk.
   */
  static BearerToken fromEnv(String name, String value) {
    if (value == null) {
      throw new IllegalArgumentException("--auth-token-env = " + name + " is invalid: the "
          + "environment variable " + name + " is not set");
    }
    return checked(value, "--auth-token-env = " + name);
  }

  private static BearerToken checked(String text, String source) {
    String token = text.strip();
    int newline = token.indexOf('\n');
    token = newline < 0 ? token : token.substring(0, newline).strip();
    if (token.length() < MIN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException(source + " is invalid: the token"
          + " must be at least " + MIN_LENGTH + " printable ASCII characters without spaces, e.g."
          + " from `openssl rand -hex 32`");
    }
    return new BearerToken(token);
  }

  /** Whether an Authorization header value carries this token. */
  boolean accepts(String authorization) {
    return authorization != null && MessageDigest.isEqual(digest, sha256(authorization.strip()));
  }

  /** The header value a peer sends: instances of one table share the token. */
  String header() {
    return SCHEME + token;
  }

  @Override
  public String toString() {
    return "BearerToken[***]";
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
