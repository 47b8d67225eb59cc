package dev.contraflow.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report people read: no NaN, a legend with class names, axes with ticks, and it renders. */
class EvalReportTest {

  /** Three checkpoints; the first has no drift (nothing before it to compare with). */
  private static final ReplayEvaluation.Result RESULT = new ReplayEvaluation.Result(80, 20, 200,
      0.79, 0.84, List.of(
          new ReplayEvaluation.Scores("file:/m/v100.cfm", 100, 0.61, 0.70, 0.9, -2.1, 0.08,
              Double.NaN),
          new ReplayEvaluation.Scores("file:/m/v200.cfm", 200, 0.66, 0.73, 0.8, -2.4, 0.09, 0.91),
          new ReplayEvaluation.Scores("file:/m/v300.cfm", 300, 0.70, 0.75, 0.7, -2.6, 0.09, 0.95)),
      new float[][] {{0, 0}, {1, 1}, {2, 0.5f}, {-1, 2}}, new int[] {0, 1, 9, 1});

  @TempDir Path dir;

  @Test
  void missingFiguresAreADashNotNaN() throws Exception {
    StringWriter text = new StringWriter();
    EvalReport.printSummary(RESULT, new PrintWriter(text, true));
    Path html = dir.resolve("report.html");
    EvalReport.writeHtml(RESULT, ClassNames.FASHION_MNIST, html);
    String page = Files.readString(html);

    assertFalse(text.toString().contains("NaN"), text.toString());
    assertFalse(page.contains("NaN"), "report.html shows NaN");
    String firstRow = text.toString().lines().filter(l -> l.startsWith("v100")).findFirst()
        .orElseThrow();
    assertTrue(firstRow.endsWith(EvalReport.MISSING), firstRow);
  }

  @Test
  void reportJsonHasNullWhereAFigureDoesNotExist() throws Exception {
    Path json = dir.resolve("report.json");
    EvalReport.writeJson(RESULT, json);

    JsonNode checkpoints = new ObjectMapper().readTree(json.toFile()).path("checkpoints");
    assertTrue(checkpoints.get(0).path("drift").isNull(), checkpoints.get(0).toString());
    assertEquals(0.91, checkpoints.get(1).path("drift").asDouble(), 1e-12);
    assertFalse(Files.readString(json).contains("NaN"));
  }

  @Test
  void pcaLegendNamesTheClassesAndChartsLabelEveryVersion() throws Exception {
    Path html = dir.resolve("report.html");
    EvalReport.writeHtml(RESULT, ClassNames.FASHION_MNIST, html);
    String page = Files.readString(html);

    for (String name : List.of("T-shirt/top", "Trouser", "Ankle boot")) {
      assertTrue(page.contains(">" + name + "</text>"), "legend entry " + name);
    }
    assertFalse(page.contains(">Dress</text>"), "a class absent from the plot is in the legend");
    for (String version : List.of(">100</text>", ">200</text>", ">300</text>")) {
      assertTrue(page.contains(version), "version axis label " + version);
    }
    assertTrue(page.contains(">model version</text>"));
  }

  @Test
  void unnamedLabelsAreLabelN() {
    assertEquals("label 12", ClassNames.FASHION_MNIST.of(12));
    assertEquals("label 3", ClassNames.NONE.of(3));
    assertEquals("Bag", ClassNames.FASHION_MNIST.of(8));
  }

  @Test
  void ticksAreNiceValuesThatCoverTheRange() {
    double[] ticks = Ticks.nice(0.613, 0.702, 5);
    assertTrue(ticks[0] <= 0.613 && ticks[ticks.length - 1] >= 0.702,
        java.util.Arrays.toString(ticks));
    assertEquals(0.05, ticks[1] - ticks[0], 1e-12); // 0.089 / 4 rounded up to 1, 2 or 5 x 10^k
    assertEquals("%.2f", Ticks.format(ticks));
    assertTrue(Ticks.nice(5, 5, 5).length >= 2, "a flat series still gets an axis");
  }

  /**
   * Headless Chromium (Debian's {@code chromium}) lays the page out; every plot must have a size.
   * Skipped where Chromium is not installed.
   */
  @Test
  void everyPlotRendersWithANonZeroSizeInChromium() throws Exception {
    Path chromium = Chromium.find();
    assumeTrue(chromium != null, "chromium is not installed (apt-get install chromium)");
    Path html = dir.resolve("report.html");
    EvalReport.writeHtml(RESULT, ClassNames.FASHION_MNIST, html);
    // The report has no scripts; the copy gets one that writes each SVG's laid-out size into it.
    Path probe = dir.resolve("probe.html");
    Files.writeString(probe, Files.readString(html).replace("</body>", "<script>"
        + "for (const s of document.querySelectorAll('svg')) {"
        + " const r = s.getBoundingClientRect();"
        + " s.setAttribute('data-rendered', Math.round(r.width) + 'x' + Math.round(r.height)); }"
        + "</script></body>"));

    String dom = Chromium.dumpDom(chromium, probe, dir);

    Matcher m = Pattern.compile("data-rendered=\"(\\d+)x(\\d+)\"").matcher(dom);
    List<String> sizes = new ArrayList<>();
    while (m.find()) {
      sizes.add(m.group(1) + "x" + m.group(2));
      assertTrue(Integer.parseInt(m.group(1)) > 0 && Integer.parseInt(m.group(2)) > 0,
          "an SVG rendered as " + m.group());
    }
    assertEquals(7, sizes.size(), "six charts and the PCA plot: " + sizes);
  }

  /** Debian's headless Chromium, run as a command. */
  static final class Chromium {

    static Path find() {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
          Path p = Path.of(folder, name);
          if (Files.isExecutable(p)) {
            return p;
          }
        }
      }
      return null;
    }

    static String dumpDom(Path chromium, Path page, Path work) throws Exception {
      Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox",
          "--disable-gpu", "--user-data-dir=" + work.resolve("chromium-profile"),
          "--dump-dom", page.toUri().toString())
          .redirectError(work.resolve("chromium.err").toFile())
          .start();
      String dom = new String(p.getInputStream().readAllBytes());
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish");
      assertEquals(0, p.exitValue(), Files.readString(work.resolve("chromium.err")));
      return dom;
    }
  }
}
