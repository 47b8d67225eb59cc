package dev.contraflow.eval;

import java.util.Arrays;

/**
 * n labelled vectors of dimension d, row-major in one float array. Immutable.
 *
 * @param vectors n x d values
 * @param dim d
 * @param labels n class labels (>= 0)
 */
public record LabelledEmbeddings(float[] vectors, int dim, int[] labels) {

  public LabelledEmbeddings {
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be >= 1, got " + dim);
    }
    if (vectors.length != (long) labels.length * dim) {
      throw new IllegalArgumentException("expected " + labels.length + " x " + dim + " = "
          + (long) labels.length * dim + " values, got " + vectors.length);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("label " + i + " is negative: " + labels[i]);
      }
    }
  }

  /** From rows of equal length. */
  public static LabelledEmbeddings of(float[][] rows, int[] labels) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("no rows");
    }
    int d = rows[0].length;
    float[] flat = new float[rows.length * d];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != d) {
        throw new IllegalArgumentException(
            "row " + i + " has " + rows[i].length + " values, row 0 has " + d);
      }
      System.arraycopy(rows[i], 0, flat, i * d, d);
    }
    return new LabelledEmbeddings(flat, d, labels);
  }

  public int size() {
    return labels.length;
  }

  public int numClasses() {
    return Arrays.stream(labels).max().orElse(-1) + 1;
  }

  /** A copy with every row scaled to unit L2 norm (all-zero rows stay zero). */
  public LabelledEmbeddings l2Normalised() {
    float[] out = vectors.clone();
    for (int i = 0; i < labels.length; i++) {
      double sq = 0;
      for (int j = 0; j < dim; j++) {
        sq += out[i * dim + j] * out[i * dim + j];
      }
      float inv = sq > 0 ? (float) (1 / Math.sqrt(sq)) : 0f;
      for (int j = 0; j < dim; j++) {
        out[i * dim + j] *= inv;
      }
    }
    return new LabelledEmbeddings(out, dim, labels);
  }
}
