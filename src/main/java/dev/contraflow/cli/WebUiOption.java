package dev.contraflow.cli;

import picocli.CommandLine.Option;

/** {@code --web-ui[=PORT]}: the Flink web UI of a local run, for the commands that run the job. */
final class WebUiOption {

  @Option(names = "--web-ui", arity = "0..1", paramLabel = "PORT", fallbackValue = "8081",
      description = "Serve the Flink web UI of the local run (job graph, checkpoints, back"
          + " pressure, the contraflow metrics) at http://localhost:PORT (default port 8081).")
  Integer port;

  boolean enabled() {
    return port != null;
  }
}
