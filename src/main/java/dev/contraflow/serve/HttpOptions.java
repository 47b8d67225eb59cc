package dev.contraflow.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How `contraflow serve` listens and whom it answers, validated once: a mistake names the option,
 * the value and the fix. The defaults are locked down: loopback only, bounded work, no secrets
 * needed (issue 14).
 *
 * @param bindAddress the interface to listen on; loopback by default, so that only this machine
 *     reaches the table until {@code --bind 0.0.0.0} (or an interface's address) says otherwise
 * @param workers threads answering lookups and searches; {@code /health} never waits for them
 * @param queue requests waiting for a worker; one more is answered 503 at once (Retry-After)
 * @param requestTimeout how long a request may wait and run before it is answered 503; also the
 *     longest a client may take to send its request
 * @param connections threads reading requests and writing answers: slow clients hold these,
 *     never the workers, so that {@code /health} answers while {@code connections - 1} clients
 *     stall
 * @param authTokenFile a file holding the bearer token every request but {@code /health} must
 *     carry, or null for none
 * @param authTokenEnv an environment variable holding that token instead, or null for none
 * @param tlsKeystore a PKCS#12 keystore with the server's key and certificate, for HTTPS, or null
 *     for plain HTTP
 * @param tlsPasswordFile a file holding the keystore's password (with {@code tlsKeystore})
 */
public record HttpOptions(String bindAddress, int workers, int queue, Duration requestTimeout,
    int connections, Path authTokenFile, String authTokenEnv, Path tlsKeystore,
    Path tlsPasswordFile) {

  public static final String LOOPBACK = "127.0.0.1";
  public static final int DEFAULT_WORKERS = 4;
  public static final int DEFAULT_QUEUE = 64;
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_CONNECTIONS = 64;

  public HttpOptions {
    require(bindAddress != null && !bindAddress.isBlank(), "--bind", bindAddress,
        "give an interface address, e.g. 127.0.0.1 (default) or 0.0.0.0 for every interface");
    require(workers >= 1 && workers <= 1024, "--workers", workers, "use 1..1024");
    require(queue >= 1 && queue <= 100_000, "--queue", queue, "use 1..100000");
    require(requestTimeout != null && requestTimeout.toMillis() >= 100, "--request-timeout",
        requestTimeout, "use an ISO-8601 duration of at least PT0.1S, e.g. PT30S");
    require(connections >= 2 && connections <= 10_000, "--connections", connections,
        "use 2..10000 (one is kept for /health)");
    require(authTokenFile == null || Files.isReadable(authTokenFile), "--auth-token-file",
        authTokenFile, "give a readable file holding the token");
    require(authTokenEnv == null || authTokenEnv.matches("[A-Za-z_][A-Za-z0-9_]*"),
        "--auth-token-env", authTokenEnv, "give the name of an environment variable, e.g. "
            + "CONTRAFLOW_SERVE_TOKEN");
    require(authTokenFile == null || authTokenEnv == null, "--auth-token-env", authTokenEnv,
        "give --auth-token-file or --auth-token-env, not both");
    require((tlsKeystore == null) == (tlsPasswordFile == null), "--tls-keystore",
        tlsKeystore, "give --tls-keystore and --tls-password-file together");
    require(tlsKeystore == null || Files.isReadable(tlsKeystore), "--tls-keystore",
        tlsKeystore, "give a readable PKCS#12 keystore file");
    require(tlsPasswordFile == null || Files.isReadable(tlsPasswordFile), "--tls-password-file",
        tlsPasswordFile, "give a readable file holding the keystore's password");
  }

  /** Without a token from the environment. */
  public HttpOptions(String bindAddress, int workers, int queue, Duration requestTimeout,
      int connections, Path authTokenFile, Path tlsKeystore, Path tlsPasswordFile) {
    this(bindAddress, workers, queue, requestTimeout, connections, authTokenFile, null,
        tlsKeystore, tlsPasswordFile);
  }

  /** Loopback only, plain HTTP, no token, the default limits. */
  public static HttpOptions defaults() {
    return new HttpOptions(LOOPBACK, DEFAULT_WORKERS, DEFAULT_QUEUE, DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_CONNECTIONS, null, null, null);
  }

  public HttpOptions withAuthTokenFile(Path file) {
    return new HttpOptions(bindAddress, workers, queue, requestTimeout, connections, file,
        null, tlsKeystore, tlsPasswordFile);
  }

  public HttpOptions withAuthTokenEnv(String variable) {
    return new HttpOptions(bindAddress, workers, queue, requestTimeout, connections, null,
        variable, tlsKeystore, tlsPasswordFile);
  }

  /** Whether every request but {@code /health} needs the bearer token. */
  public boolean tokenRequired() {
    return authTokenFile != null || authTokenEnv != null;
  }

  public HttpOptions withTls(Path keystore, Path passwordFile) {
    return new HttpOptions(bindAddress, workers, queue, requestTimeout, connections,
        authTokenFile, authTokenEnv, keystore, passwordFile);
  }

  public HttpOptions withLimits(int workers, int queue, Duration requestTimeout, int connections) {
    return new HttpOptions(bindAddress, workers, queue, requestTimeout, connections,
        authTokenFile, authTokenEnv, tlsKeystore, tlsPasswordFile);
  }

  public boolean tls() {
    return tlsKeystore != null;
  }

  /** "https" with a keystore, "http" without: how this instance and its peers are reached. */
  public String scheme() {
    return tls() ? "https" : "http";
  }

  private static void require(boolean ok, String option, Object value, String fix) {
    if (!ok) {
      throw new IllegalArgumentException(option + " = " + value + " is invalid: " + fix);
    }
  }
}
