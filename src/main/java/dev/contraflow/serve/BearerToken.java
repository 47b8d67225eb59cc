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

  /** The first line of the file, without surrounding white space. */
  static BearerToken fromFile(Path file) throws IOException {
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    int newline = token.indexOf('\n');
    token = newline < 0 ? token : token.substring(0, newline).strip();
    if (token.length() < MIN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException("--auth-token-file = " + file + " is invalid: the token"
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
