package dev.contraflow.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProjectionTest {

  @Test
  void pointsOnALineProjectOntoTheFirstComponentAlone() {
    float[][] rows = new float[50][];
    for (int i = 0; i < rows.length; i++) {
      float t = i - 25;
      rows[i] = new float[] {3 * t + 1, -2 * t, t + 5};
    }
    float[][] xy = Projection.pca2(rows);
    for (int i = 0; i < rows.length; i++) {
      assertEquals(0, xy[i][1], 1e-3, "no variance off the line");
    }
    double length = Math.sqrt(9 + 4 + 1);
    assertEquals(length * 24, Math.abs(xy[49][0] - xy[25][0]), 1e-2,
        "distances along the line are kept");
  }

  @Test
  void twoClustersStaySeparatedInTheProjection() {
    float[][] rows = new float[40][8];
    for (int i = 0; i < 40; i++) {
      rows[i][0] = i < 20 ? 10 : -10;
      rows[i][1 + i % 7] = 0.1f * (i % 3);
    }
    float[][] xy = Projection.pca2(rows);
    assertTrue(Math.signum(xy[0][0]) != Math.signum(xy[39][0]), "clusters on opposite sides");
  }

  @Test
  void anEllipseProjectsOntoItsLongAxisThenItsShortAxis() {
    // long axis (radius 10) along dimension 2, short axis (radius 3) along dimension 0, centred
    // at (1, 7, -4, 2): the principal components are those axes, in that order
    int n = 36;
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      double angle = 2 * Math.PI * i / n;
      rows[i] = new float[] {1 + (float) (3 * Math.sin(angle)), 7,
          -4 + (float) (10 * Math.cos(angle)), 2};
    }
    float[][] xy = Projection.pca2(rows);
    for (int i = 0; i < n; i++) {
      double angle = 2 * Math.PI * i / n;
      assertEquals(10 * Math.abs(Math.cos(angle)), Math.abs(xy[i][0]), 1e-4, "long axis " + i);
      assertEquals(3 * Math.abs(Math.sin(angle)), Math.abs(xy[i][1]), 1e-4, "short axis " + i);
    }
  }

  @Test
  void oneDimensionalRowsAreCentredWithNoSecondCoordinate() {
    float[][] xy = Projection.pca2(new float[][] {{1}, {2}, {6}});
    assertEquals(6 - 3, Math.abs(xy[2][0]), 1e-6);
    assertEquals(1 - 3, -Math.abs(xy[0][0]), 1e-6);
    for (float[] p : xy) {
      assertEquals(0, p[1]);
    }
  }
}
