package dev.contraflow.cli;

import java.util.concurrent.CompletableFuture;
import sun.misc.Signal;

/**
 * SIGTERM and Ctrl-C (SIGINT) as a request to stop, instead of the JVM's immediate shutdown: the
 * command can then stop its job (with a savepoint when asked), print a summary and choose its exit
 * code. A second signal while stopping ends the process at once, as users of Ctrl-C expect.
 */
final class StopSignals {

  private StopSignals() {}

  /** Completes with the signal's name ("SIGTERM", "SIGINT") when the first arrives. */
  static CompletableFuture<String> install() {
    CompletableFuture<String> stop = new CompletableFuture<>();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        if (!stop.complete("SIG" + signal.getName())) {
          Runtime.getRuntime().halt(128 + signal.getNumber());
        }
      });
    }
    return stop;
  }
}
