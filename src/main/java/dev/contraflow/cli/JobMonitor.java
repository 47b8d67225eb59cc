package dev.contraflow.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.util.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a submitted job for {@code learn}: a status line every few seconds from the job's
 * metrics and its committed outputs, and, when the job ends or a stop is asked for, the stop
 * (with a savepoint when asked), one summary and the exit code: 0 when the job finished or
 * stopped as asked, 1 when it failed or the stop did not succeed.
 */
final class JobMonitor {

  private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);

  /** How long the summary waits for the last transactions to show up as committed. */
  private static final Duration SETTLE = Duration.ofSeconds(5);

  private final JobClient client;
  private final FlinkJobMetrics metrics;
  private final CommittedOutputs outputs;
  private final StatusFormat format;
  private final boolean quiet;
  private final Duration every;
  private final PrintStream out;
  private final long started = System.nanoTime();
  private JobStatus last;

  JobMonitor(JobClient client, FlinkJobMetrics metrics, CommittedOutputs outputs,
      StatusFormat format, boolean quiet, Duration every, PrintStream out) {
    this.client = client;
    this.metrics = metrics;
    this.outputs = outputs;
    this.format = format;
    this.quiet = quiet;
    this.every = every;
    this.out = out;
    this.last = new JobStatus(Duration.ZERO, "CREATED", List.of(), 0, 0, 0, List.of());
  }

  /**
   * Prints status lines until the job ends or {@code stop} completes (with the signal's name);
   * then stops the job, into a savepoint under {@code savepointDir} when not null.
   *
   * @return the exit code
   */
  int watch(CompletableFuture<String> stop, Path savepointDir) throws InterruptedException {
    CompletableFuture<?> result = client.getJobExecutionResult();
    while (!stop.isDone() && !result.isDone()) {
      try {
        CompletableFuture.anyOf(stop, result).get(every.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        report();
      } catch (ExecutionException e) {
        break; // the job failed: said below
      }
    }
    if (stop.isDone() && !result.isDone()) {
      return stopJob(stop.join(), savepointDir, result);
    }
    return ended(result);
  }

  private void report() throws InterruptedException {
    try {
      last = metrics.read(elapsed(), outputs.embeddings(), outputs.deadLetters(),
          outputs.published());
      if (!quiet) {
        out.println(format.status(last));
      }
    } catch (IOException e) {
      LOG.debug("no status this time: {}", e.toString()); // the next tick tries again
    }
  }

  private int stopJob(String signal, Path savepointDir, CompletableFuture<?> result)
      throws InterruptedException {
    report();
    String how = "stopped on " + signal;
    String savepoint = null;
    int code = 0;
    try {
      if (savepointDir != null) {
        savepoint = client.stopWithSavepoint(false, savepointDir.toUri().toString(),
            SavepointFormatType.CANONICAL).get();
      } else {
        client.cancel().get();
      }
    } catch (ExecutionException e) {
      how += ", but " + (savepointDir == null ? "cancelling" : "the savepoint")
          + " failed: " + rootMessage(e);
      code = 1;
    }
    awaitQuietly(result);
    summary(savepoint == null ? "CANCELED" : "STOPPED", how, code, savepoint);
    return code;
  }

  private int ended(CompletableFuture<?> result) {
    try {
      result.get();
      summary("FINISHED", "the job finished", 0, null);
      return 0;
    } catch (ExecutionException | InterruptedException e) {
      summary("FAILED", "the job failed: " + rootMessage(e) + ConsoleLog.details(), 1, null);
      return 1;
    }
  }

  /** The summary, also when quiet: with the final committed counts once they settle. */
  private void summary(String state, String how, int code, String savepoint) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    long seen = -1;
    while (System.nanoTime() < deadline && seen != outputs.embeddings() + outputs.deadLetters()) {
      seen = outputs.embeddings() + outputs.deadLetters();
      sleep(Duration.ofSeconds(1));
    }
    last = last.withCommitted(elapsed(), state, outputs.embeddings(), outputs.deadLetters(),
        outputs.published());
    out.println(format.stopped(last, how, code, savepoint));
  }

  private Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  private static void awaitQuietly(CompletableFuture<?> result) throws InterruptedException {
    try {
      result.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("job ended with {}", e.toString()); // a cancelled job ends exceptionally
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = ExceptionUtils.stripExecutionException(e);
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }
}
