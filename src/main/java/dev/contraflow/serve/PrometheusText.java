package dev.contraflow.serve;

import java.util.Locale;
import java.util.Map;

/**
 * Builds a page in Prometheus' text exposition format (version 0.0.4): per metric a HELP and a
 * TYPE line, then its samples; label values escaped as the format asks.
 */
final class PrometheusText {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final String prefix;
  private final StringBuilder page = new StringBuilder();

  PrometheusText(String prefix) {
    this.prefix = prefix;
  }

  /** A monotonic count; the name gets Prometheus' {@code _total} suffix. */
  void counter(String name, String help, long value) {
    header(name + "_total", help, "counter");
    page.append(prefix).append(name).append("_total ").append(value).append('\n');
  }

  void gauge(String name, String help, long value) {
    header(name, help, "gauge");
    page.append(prefix).append(name).append(' ').append(value).append('\n');
  }

  /** One gauge with a sample per value of {@code label}. */
  void gaugeFamily(String name, String help, String label, Map<String, Long> values) {
    header(name, help, "gauge");
    values.forEach((labelValue, value) -> page.append(prefix).append(name).append('{')
        .append(label).append("=\"").append(escape(labelValue)).append("\"} ").append(value)
        .append('\n'));
  }

  private void header(String name, String help, String type) {
    page.append(String.format(Locale.ROOT, "# HELP %s%s %s%n# TYPE %s%s %s%n", prefix, name,
        help.replace("\\", "\\\\").replace("\n", "\\n"), prefix, name, type));
  }

  private static String escape(String labelValue) {
    return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  @Override
  public String toString() {
    return page.toString();
  }
}
