package dev.contraflow.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs ops/kafka-broker.sh and ops/flink-cluster.sh as a user or CI would, with their own run
 * directory and free loopback ports so that a test never meets another developer's cluster.
 */
final class OpsScripts {

  final Path repoRoot;
  final Path runDir;
  final int kafkaPort;
  final int kafkaControllerPort;
  final int flinkRestPort;
  final int flinkRpcPort;
  /** More environment for the scripts, e.g. CONTRAFLOW_FLINK_TASKMANAGERS. */
  private final Map<String, String> environment;

  OpsScripts(Path repoRoot, Path runDir) {
    this(repoRoot, runDir, Map.of());
  }

  OpsScripts(Path repoRoot, Path runDir, Map<String, String> environment) {
    this.repoRoot = repoRoot;
    this.runDir = runDir;
    this.environment = Map.copyOf(environment);
    int[] ports = freePorts(4);
    this.kafkaPort = ports[0];
    this.kafkaControllerPort = ports[1];
    this.flinkRestPort = ports[2];
    this.flinkRpcPort = ports[3];
  }

  String bootstrapServers() {
    return "127.0.0.1:" + kafkaPort;
  }

  String flinkRestUrl() {
    return "http://127.0.0.1:" + flinkRestPort;
  }

  /** Runs {@code ops/<script> <command> <args>}; fails with the script's output when it fails. */
  void run(String script, String command, Duration timeout, String... args) {
    Path log = runDir.resolve(script.replace(".sh", "") + "-" + command + ".log");
    List<String> commandLine = new ArrayList<>(
        List.of("bash", repoRoot.resolve("ops").resolve(script).toString(), command));
    commandLine.addAll(List.of(args));
    try {
      Files.createDirectories(runDir);
      ProcessBuilder builder = new ProcessBuilder(commandLine)
          .directory(repoRoot.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().putAll(Map.of(
          "CONTRAFLOW_OPS_DIR", runDir.toString(),
          "CONTRAFLOW_KAFKA_PORT", String.valueOf(kafkaPort),
          "CONTRAFLOW_KAFKA_CONTROLLER_PORT", String.valueOf(kafkaControllerPort),
          "CONTRAFLOW_FLINK_REST_PORT", String.valueOf(flinkRestPort),
          "CONTRAFLOW_FLINK_RPC_PORT", String.valueOf(flinkRpcPort)));
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("ops/" + script + " " + command + " did not finish within "
            + timeout + "; output:\n" + Files.readString(log));
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("ops/" + script + " " + command + " exited with "
            + process.exitValue() + "; output:\n" + Files.readString(log));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not run ops/" + script + " " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running ops/" + script, e);
    }
  }

  /** Ports free right now; all are held open together so that they differ. */
  private static int[] freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0));
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // the port is released either way
        }
      }
    }
  }
}
