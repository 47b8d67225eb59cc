package dev.contraflow.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;

/**
 * The REST endpoint of a local run's MiniCluster, on loopback: the status line reads the job's
 * metrics from it, and with flink-runtime-web on the classpath it serves the Flink web UI. The
 * port is the user's ({@code --web-ui=PORT}) or a free one.
 *
 * @param port where the endpoint listens
 * @param fetchEvery how often the endpoint refreshes metrics from the task managers (Flink's
 *     default, 10 s, would make a 5 s status line show the same figures twice)
 */
record LocalRest(int port, Duration fetchEvery) {

  static final String HOST = "127.0.0.1";

  /** On {@code port}, or a free port when null. */
  static LocalRest of(Integer port, Duration fetchEvery) {
    return new LocalRest(port == null ? freePort() : port, fetchEvery);
  }

  void applyTo(Configuration flink) {
    flink.set(RestOptions.ADDRESS, HOST);
    flink.set(RestOptions.BIND_ADDRESS, HOST);
    flink.set(RestOptions.PORT, port);
    flink.set(RestOptions.BIND_PORT, Integer.toString(port));
    flink.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, fetchEvery);
    if (ConsoleLog.file() != null) {
      // the web UI's Job Manager > Logs tab shows this run's log file
      flink.set(WebOptions.LOG_PATH, ConsoleLog.file().toString());
    }
  }

  URI uri() {
    return URI.create("http://localhost:" + port + "/");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST + " for Flink's REST API", e);
    }
  }
}
