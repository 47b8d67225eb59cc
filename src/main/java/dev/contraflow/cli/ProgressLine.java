package dev.contraflow.cli;

import dev.contraflow.learn.StepMetrics;
import java.io.PrintStream;
import java.time.Duration;

/** Prints a training progress line at most every few seconds, and always at the end. */
final class ProgressLine {

  /** Printed where a figure does not exist (BYOL and SimSiam have no negatives): never NaN. */
  static final String MISSING = "\u2014";

  private final PrintStream out;
  private final long intervalNanos;
  private final Duration budget;
  private final long started = System.nanoTime();
  private long lastPrinted = started;

  ProgressLine(PrintStream out, Duration interval) {
    this(out, interval, null);
  }

  /** With a time budget (null for none), the ETA is the sooner of the data's end and the budget's. */
  ProgressLine(PrintStream out, Duration interval, Duration budget) {
    this.out = out;
    this.intervalNanos = interval.toNanos();
    this.budget = budget;
  }

  void onStep(StepMetrics m, long seen, long total) {
    onStep(m, seen, total, "queue " + m.queueFill());
  }

  /** As {@link #onStep(StepMetrics, long, long)}, with {@code state} in place of the queue fill. */
  void onStep(StepMetrics m, long seen, long total, String state) {
    long now = System.nanoTime();
    if (now - lastPrinted < intervalNanos && seen < total) {
      return;
    }
    lastPrinted = now;
    double elapsed = (now - started) / 1e9;
    double rate = seen / Math.max(elapsed, 1e-9);
    long etaSeconds = Math.round((total - seen) / Math.max(rate, 1e-9));
    if (budget != null) {
      etaSeconds = Math.min(etaSeconds, Math.max(0, budget.toSeconds() - Math.round(elapsed)));
    }
    StringBuilder own = new StringBuilder();
    m.methodMetrics().forEach((name, value) -> own.append(" ").append(name).append(" ")
        .append(figure(value, "%.4f")).append(" |"));
    out.printf("step %d | samples %d/%d (%.0f%%) | loss %s | pos %s neg %s | std %s |%s"
            + " %s | %.0f samples/s | elapsed %s | ETA %s%n",
        m.step(), seen, total, 100.0 * seen / total, figure(m.loss(), "%.4f"),
        figure(m.positiveSimilarity(), "%.3f"), figure(m.negativeSimilarity(), "%.3f"),
        figure(m.embeddingStd(), "%.4f"), own, state, rate,
        format(Math.round(elapsed)), format(etaSeconds));
  }

  /** {@code value} in {@code format}, or {@link #MISSING} when it is not a number. */
  static String figure(double value, String format) {
    return Double.isFinite(value) ? String.format(format, value) : MISSING;
  }

  static String format(long seconds) {
    return seconds >= 3600
        ? String.format("%dh%02dm", seconds / 3600, (seconds % 3600) / 60)
        : String.format("%dm%02ds", seconds / 60, seconds % 60);
  }
}
