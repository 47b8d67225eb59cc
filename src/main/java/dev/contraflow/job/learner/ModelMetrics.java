package dev.contraflow.job.learner;

import dev.contraflow.learn.StepMetrics;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/**
 * Flink metrics of one model key, under the group {@code model.<modelId>}: the latest step's
 * numbers as gauges (step is the model version), a gauge per figure of the method's own (DINO's
 * teacherEntropy) from the first step that reports it, a meter of records trained per second, the
 * count of steps rejected as non-finite, and {@code trainingStopped} (1 once the model has
 * stopped training after too many of them in a row: alert on it).
 */
final class ModelMetrics {

  private volatile StepMetrics latest;
  private final Meter records;
  private final MetricGroup group;
  private final Set<String> methodGauges = new HashSet<>();
  private final Counter rejectedSteps;
  private volatile boolean stopped;
  private volatile String lastRejection;

  ModelMetrics(MetricGroup operatorGroup, String modelId) {
    MetricGroup g = operatorGroup.addGroup("model", modelId);
    this.group = g;
    g.gauge("step", (Gauge<Long>) () -> latest == null ? 0L : latest.step());
    g.gauge("loss", (Gauge<Double>) () -> latest == null ? Double.NaN : latest.loss());
    g.gauge("alignment", (Gauge<Double>) () -> latest == null ? Double.NaN : latest.alignment());
    g.gauge("uniformity", (Gauge<Double>) () -> latest == null ? Double.NaN : latest.uniformity());
    g.gauge("embeddingStd",
        (Gauge<Double>) () -> latest == null ? Double.NaN : latest.embeddingStd());
    g.gauge("queueFill", (Gauge<Integer>) () -> latest == null ? 0 : latest.queueFill());
    g.gauge("queueMeanAge",
        (Gauge<Double>) () -> latest == null ? Double.NaN : latest.queueMeanAge());
    this.records = g.meter("samplesPerSecond", new MeterView(10));
    this.rejectedSteps = g.counter("rejectedSteps");
    g.gauge("trainingStopped", (Gauge<Integer>) () -> stopped ? 1 : 0);
    g.gauge("lastRejection", (Gauge<String>) () -> lastRejection == null ? "" : lastRejection);
  }

  /** A step rejected as non-finite; {@code stopsTraining} when it was the last one allowed. */
  void rejected(String why, boolean stopsTraining) {
    rejectedSteps.inc();
    lastRejection = why;
    stopped = stopsTraining;
  }

  /** Whether the model has stopped training (its records are still embedded). */
  void stopped(boolean isStopped) {
    stopped = isStopped;
  }

  void record(StepMetrics m, int batchSize) {
    latest = m;
    records.markEvent(batchSize);
    for (String name : m.methodMetrics().keySet()) {
      if (methodGauges.add(name)) {
        group.gauge(name, (Gauge<Double>) () -> latest == null ? Double.NaN
            : latest.methodMetrics().getOrDefault(name, Double.NaN));
      }
    }
  }
}
