package dev.contraflow.eval;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Writes a replay evaluation three ways: JSON for programs, a self-contained HTML page (inline
 * SVG plots, no scripts or downloads) for people, and a one-screen text table for the terminal.
 */
public final class EvalReport {

  private static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
      "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  private static final int W = 420;
  private static final int H = 240;
  private static final int PAD = 48;
  /** Shown where a figure does not exist, e.g. the first checkpoint's drift. */
  static final String MISSING = "\u2014";
  /** Version axes label every version up to this many, else evenly spaced ones. */
  private static final int MAX_VERSION_LABELS = 12;

  private EvalReport() {}

  /** report.json; a figure that does not exist (the first drift) is null, as readers expect. */
  public static void writeJson(ReplayEvaluation.Result r, Path file) throws IOException {
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .registerModule(new SimpleModule().addSerializer(Double.class, new FiniteOrNull())
            .addSerializer(double.class, new FiniteOrNull()))
        .writeValue(file.toFile(), r);
  }

  /** Jackson would write NaN as the string "NaN". */
  private static final class FiniteOrNull extends StdSerializer<Double> {

    FiniteOrNull() {
      super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator out, SerializerProvider provider)
        throws IOException {
      if (Double.isFinite(value)) {
        out.writeNumber(value);
      } else {
        out.writeNull();
      }
    }
  }

  public static void printSummary(ReplayEvaluation.Result r, PrintWriter out) {
    out.printf(Locale.ROOT, "%d queries against a bank of %d; weighted kNN k=%d T=0.07%n",
        r.querySize(), r.bankSize(), r.k());
    out.printf(Locale.ROOT, "%-10s %9s %9s %8s %8s %8s %8s%n", "version", "kNN", "linear",
        "align", "uniform", "std", "drift");
    out.printf(Locale.ROOT, "%-10s %9.4f %9.4f%n", "raw pixels", r.rawPixelsKnn(),
        r.rawPixelsProbe());
    for (ReplayEvaluation.Scores s : r.checkpoints()) {
      out.printf(Locale.ROOT, "%-10s %9s %9s %8s %8s %8s %8s%n", "v" + s.version(),
          figure(s.weightedKnn(), "%.4f"), figure(s.linearProbe(), "%.4f"),
          figure(s.alignment(), "%.3f"), figure(s.uniformity(), "%.3f"),
          figure(s.embeddingStd(), "%.4f"), figure(s.drift(), "%.4f"));
    }
  }

  /** {@code value} in {@code format}, or {@link #MISSING} where it does not exist. */
  static String figure(double value, String format) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, format, value) : MISSING;
  }

  /** The report without class names: the PCA legend says "label N". */
  public static void writeHtml(ReplayEvaluation.Result r, Path file) throws IOException {
    writeHtml(r, ClassNames.NONE, file);
  }

  /** The HTML report; the PCA plot's legend names label i {@code names.of(i)}. */
  public static void writeHtml(ReplayEvaluation.Result r, ClassNames names, Path file)
      throws IOException {
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>contraflow eval</title>")
        .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
        .append("td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}")
        .append("svg{margin:8px;border:1px solid #eee}</style></head><body>")
        .append("<h1>contraflow replay evaluation</h1>")
        .append(String.format(Locale.ROOT, "<p>%d queries against a bank of %d labelled images; "
            + "weighted kNN k=%d, T=0.07; linear probe: softmax regression (Adam, 30 epochs)."
            + "</p>", r.querySize(), r.bankSize(), r.k()))
        .append("<table><tr><th>checkpoint</th><th>version</th><th>weighted kNN</th>")
        .append("<th>linear probe</th><th>alignment</th><th>uniformity</th><th>std</th>")
        .append("<th>drift</th></tr>")
        .append(String.format(Locale.ROOT, "<tr><td>raw pixels</td><td></td><td>%.4f</td>"
            + "<td>%.4f</td><td></td><td></td><td></td><td></td></tr>", r.rawPixelsKnn(),
            r.rawPixelsProbe()));
    for (ReplayEvaluation.Scores s : r.checkpoints()) {
      h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%s</td><td>%s</td>"
              + "<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", escape(s.source()),
          s.version(), figure(s.weightedKnn(), "%.4f"), figure(s.linearProbe(), "%.4f"),
          figure(s.alignment(), "%.3f"), figure(s.uniformity(), "%.3f"),
          figure(s.embeddingStd(), "%.4f"), figure(s.drift(), "%.4f")));
    }
    h.append("</table><h2>Against model version</h2>");
    List<ReplayEvaluation.Scores> c = r.checkpoints();
    h.append(chart("weighted kNN accuracy", c, ReplayEvaluation.Scores::weightedKnn,
        r.rawPixelsKnn()));
    h.append(chart("linear probe accuracy", c, ReplayEvaluation.Scores::linearProbe,
        r.rawPixelsProbe()));
    h.append(chart("alignment (lower is better)", c, ReplayEvaluation.Scores::alignment,
        Double.NaN));
    h.append(chart("uniformity (lower is better)", c, ReplayEvaluation.Scores::uniformity,
        Double.NaN));
    h.append(chart("embedding std (collapse: -> 0)", c, ReplayEvaluation.Scores::embeddingStd,
        Double.NaN));
    h.append(chart("drift: cosine to previous checkpoint", c, ReplayEvaluation.Scores::drift,
        Double.NaN));
    h.append("<h2>Embeddings of the last checkpoint (PCA, coloured by label)</h2>")
        .append(scatter(r.projection(), r.projectionLabels(), names))
        .append("<p>Dashed line: raw pixels.</p></body></html>\n");
    Files.writeString(file, h, StandardCharsets.UTF_8);
  }

  private static String chart(String title, List<ReplayEvaluation.Scores> points,
      ToDoubleFunction<ReplayEvaluation.Scores> metric, double reference) {
    double minX = points.get(0).version();
    double maxX = points.get(points.size() - 1).version();
    double minY = Double.POSITIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (ReplayEvaluation.Scores s : points) {
      double v = metric.applyAsDouble(s);
      if (Double.isFinite(v)) {
        minY = Math.min(minY, v);
        maxY = Math.max(maxY, v);
      }
    }
    if (Double.isFinite(reference)) {
      minY = Math.min(minY, reference);
      maxY = Math.max(maxY, reference);
    }
    if (!Double.isFinite(minY)) {
      return "";
    }
    Scale sx = new Scale(minX, maxX, PAD, W - PAD / 2.0);
    double[] yTicks = Ticks.nice(minY, maxY, 5);
    minY = Math.min(minY, yTicks[0]);
    maxY = Math.max(maxY, yTicks[yTicks.length - 1]);
    Scale sy = new Scale(minY, maxY, H - PAD, PAD / 2.0);
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "<svg width=\"%d\" height=\"%d\"><text x=\"%d\" y=\"14\" font-size=\"13\">%s</text>",
        W, H, PAD, escape(title)));
    s.append(yAxis(sy, yTicks)).append(versionAxis(sx, points));
    if (Double.isFinite(reference)) {
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
          + "stroke=\"#999\" stroke-dasharray=\"4\"/>", PAD, W - PAD / 2, sy.at(reference),
          sy.at(reference)));
    }
    StringBuilder path = new StringBuilder();
    for (ReplayEvaluation.Scores p : points) {
      double v = metric.applyAsDouble(p);
      if (Double.isFinite(v)) {
        path.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx.at(p.version()), sy.at(v)));
        s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
            + "fill=\"#1f77b4\"/>", sx.at(p.version()), sy.at(v)));
      }
    }
    s.append("<polyline fill=\"none\" stroke=\"#1f77b4\" points=\"").append(path).append("\"/>");
    return s.append("</svg>").toString();
  }

  /** Tick marks, grid lines and values on the left; {@code ticks} inside the scale's range. */
  private static String yAxis(Scale sy, double[] ticks) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>", PAD, PAD,
        sy.from(), sy.to()));
    String format = Ticks.format(ticks);
    for (double t : ticks) {
      double y = sy.at(t);
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
          + "stroke=\"#eee\"/><line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>"
          + "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%s</text>", PAD,
          W - PAD / 2, y, y, PAD - 4, PAD, y, y, PAD - 6, y + 3,
          String.format(Locale.ROOT, format, t)));
    }
    return s.toString();
  }

  /** The x axis: every version when there are few, else evenly spaced ones; titled "version". */
  private static String versionAxis(Scale sx, List<ReplayEvaluation.Scores> points) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
            + "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">model version"
            + "</text>", sx.from(), sx.to(), H - PAD, H - PAD, (PAD + W - PAD / 2) / 2, H - 6));
    double[] ticks = points.size() <= MAX_VERSION_LABELS
        ? points.stream().mapToDouble(ReplayEvaluation.Scores::version).toArray()
        : Ticks.nice(sx.lo(), sx.hi(), 6);
    for (double t : ticks) {
      if (t < sx.lo() || t > sx.hi()) {
        continue;
      }
      double x = sx.at(t);
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
          + "stroke=\"#333\"/><text x=\"%.1f\" y=\"%d\" font-size=\"10\" "
          + "text-anchor=\"middle\">%.0f</text>", x, x, H - PAD, H - PAD + 4, x, H - PAD + 15, t));
    }
    return s.toString();
  }

  private static String scatter(float[][] xy, int[] labels, ClassNames names) {
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (float[] p : xy) {
      minX = Math.min(minX, p[0]);
      maxX = Math.max(maxX, p[0]);
      minY = Math.min(minY, p[1]);
      maxY = Math.max(maxY, p[1]);
    }
    int size = 480;
    int legend = 130;
    Scale sx = new Scale(minX, maxX, 10, size - 10);
    Scale sy = new Scale(minY, maxY, size - 10, 10);
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "<svg width=\"%d\" height=\"%d\">", size + legend, size));
    for (int i = 0; i < xy.length; i++) {
      s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\" "
              + "fill-opacity=\"0.7\"><title>%s</title></circle>", sx.at(xy[i][0]),
          sy.at(xy[i][1]), colour(labels[i]), escape(names.of(labels[i]))));
    }
    int row = 0;
    for (int label : java.util.Arrays.stream(labels).distinct().sorted().toArray()) {
      int y = 20 + 16 * row++;
      s.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", size + 10, y - 4,
          colour(label), size + 20, y, escape(names.of(label))));
    }
    return s.append("</svg>").toString();
  }

  private static String colour(int label) {
    return PALETTE[Math.floorMod(label, PALETTE.length)];
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** Linear map from data range [lo, hi] to pixels [from, to]. */
  private record Scale(double lo, double hi, double from, double to) {
    double at(double v) {
      double span = hi - lo;
      return span == 0 ? (from + to) / 2 : from + (v - lo) / span * (to - from);
    }
  }
}
