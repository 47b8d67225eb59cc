package dev.contraflow.eval;

/** A 2-D view of embeddings for plots: the first two principal components. */
public final class Projection {

  private static final int POWER_ITERATIONS = 200;

  private Projection() {}

  /** Rows projected on the top two principal directions (power iteration with deflation). */
  public static float[][] pca2(float[][] rows) {
    int n = rows.length;
    int d = rows[0].length;
    double[] mean = new double[d];
    for (float[] r : rows) {
      for (int j = 0; j < d; j++) {
        mean[j] += r[j] / (double) n;
      }
    }
    // covariance: d x d
    double[][] cov = new double[d][d];
    for (float[] r : rows) {
      for (int a = 0; a < d; a++) {
        double ca = r[a] - mean[a];
        for (int b = a; b < d; b++) {
          cov[a][b] += ca * (r[b] - mean[b]);
        }
      }
    }
    for (int a = 0; a < d; a++) {
      for (int b = 0; b < a; b++) {
        cov[a][b] = cov[b][a];
      }
    }
    double[] first = topEigenvector(cov, null);
    deflate(cov, first);
    double[] second = topEigenvector(cov, first);
    float[][] out = new float[n][2];
    for (int i = 0; i < n; i++) {
      double x = 0;
      double y = 0;
      for (int j = 0; j < d; j++) {
        double c = rows[i][j] - mean[j];
        x += c * first[j];
        y += c * second[j];
      }
      out[i][0] = (float) x;
      out[i][1] = (float) y;
    }
    return out;
  }

  /**
   * Unit eigenvector of the largest eigenvalue, kept orthogonal to {@code orthogonalTo} (may be
   * null): when the matrix has no variance left, that is still a valid second direction.
   */
  private static double[] topEigenvector(double[][] m, double[] orthogonalTo) {
    int d = m.length;
    double[] v = new double[d];
    for (int j = 0; j < d; j++) {
      v[j] = 1 + 0.01 * j + (j % 2 == 0 ? 0.5 : 0); // deterministic start, not symmetric
    }
    orthogonalise(v, orthogonalTo);
    double start = Math.sqrt(dot(v, v));
    for (int j = 0; j < d; j++) {
      v[j] /= start;
    }
    for (int it = 0; it < POWER_ITERATIONS; it++) {
      double[] next = new double[d];
      for (int a = 0; a < d; a++) {
        double s = 0;
        for (int b = 0; b < d; b++) {
          s += m[a][b] * v[b];
        }
        next[a] = s;
      }
      orthogonalise(next, orthogonalTo);
      double norm = Math.sqrt(dot(next, next));
      if (norm < 1e-12) {
        return v;
      }
      for (int a = 0; a < d; a++) {
        v[a] = next[a] / norm;
      }
    }
    return v;
  }

  /** Removes from v its component along u (a unit vector, or null for nothing). */
  private static void orthogonalise(double[] v, double[] u) {
    if (u != null) {
      double along = dot(v, u);
      for (int j = 0; j < v.length; j++) {
        v[j] -= along * u[j];
      }
    }
  }

  private static void deflate(double[][] m, double[] v) {
    double lambda = 0;
    for (int a = 0; a < m.length; a++) {
      for (int b = 0; b < m.length; b++) {
        lambda += v[a] * m[a][b] * v[b];
      }
    }
    for (int a = 0; a < m.length; a++) {
      for (int b = 0; b < m.length; b++) {
        m[a][b] -= lambda * v[a] * v[b];
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
