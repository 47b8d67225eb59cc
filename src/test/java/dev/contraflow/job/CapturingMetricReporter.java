package dev.contraflow.job;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter for tests: keeps every registered metric by its full identifier, so a
 * test can read what a monitoring system would scrape.
 */
public final class CapturingMetricReporter implements MetricReporter {

  static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    METRICS.put(group.getMetricIdentifier(name), metric);
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}

  /** The current value of the metric of job {@code job} whose identifier ends with {@code suffix}. */
  static Optional<Object> value(String job, String suffix) {
    return METRICS.entrySet().stream()
        .filter(e -> e.getKey().contains("." + job + ".") && e.getKey().endsWith(suffix))
        .findFirst()
        .map(e -> e.getValue() instanceof Gauge<?> g ? g.getValue()
            : e.getValue() instanceof Counter c ? (Object) c.getCount() : null);
  }

  /** Found by Flink through ServiceLoader (META-INF/services in the test resources). */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new CapturingMetricReporter();
    }
  }
}
