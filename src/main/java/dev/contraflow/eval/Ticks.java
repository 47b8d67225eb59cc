package dev.contraflow.eval;

/**
 * Axis ticks at "nice" values (1, 2 or 5 times a power of ten) covering a data range, as plotting
 * libraries place them, so that a reader can read a value off a chart.
 */
final class Ticks {

  private Ticks() {}

  /** About {@code count} ticks from at or below {@code lo} to at or above {@code hi}. */
  static double[] nice(double lo, double hi, int count) {
    if (hi <= lo) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
    double step = niceStep((hi - lo) / Math.max(1, count - 1));
    double first = Math.floor(lo / step) * step;
    int n = (int) Math.ceil((hi - first) / step - 1e-9) + 1;
    double[] ticks = new double[n];
    for (int i = 0; i < n; i++) {
      ticks[i] = first + i * step; // multiples of step: no drift from adding step n times
    }
    return ticks;
  }

  /** A printf format with as many decimals as the step between ticks needs. */
  static String format(double[] ticks) {
    if (ticks.length < 2) {
      return "%.3f";
    }
    double step = ticks[1] - ticks[0];
    int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
    return "%." + Math.min(decimals, 6) + "f";
  }

  private static double niceStep(double raw) {
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double fraction = raw / power;
    double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
    return nice * power;
  }
}
