package dev.contraflow.serve;

import java.time.Duration;

/**
 * The JDK HTTP server's own limits, which it reads once from system properties when the first
 * server of the JVM starts: how long a client may take to send a request ({@code
 * sun.net.httpserver.maxReqTime}) or to read an answer ({@code maxRspTime}) before its connection
 * is closed, and how many connections it keeps open ({@code jdk.httpserver.maxConnections}, four per
 * connection thread).
 * `contraflow serve` sets them before anything else, so that a client that stalls mid-request
 * gives its connection thread back; a property already given with {@code -D} wins.
 */
public final class JdkServerLimits {

  private JdkServerLimits() {
  }

  public static void apply(Duration requestTimeout, int connections) {
    long seconds = Math.max(1, (requestTimeout.toMillis() + 999) / 1000);
    setUnlessGiven("sun.net.httpserver.maxReqTime", Long.toString(seconds));
    setUnlessGiven("sun.net.httpserver.maxRspTime", Long.toString(seconds));
    // idle keep-alive connections hold no thread: allow a few times as many as there are threads
    setUnlessGiven("jdk.httpserver.maxConnections", Integer.toString(4 * connections));
  }

  private static void setUnlessGiven(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }
}
