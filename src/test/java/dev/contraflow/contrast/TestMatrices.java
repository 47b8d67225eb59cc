package dev.contraflow.contrast;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Matrices for the loss tests: random inputs and the nudges of finite-difference checks. */
final class TestMatrices {

  private TestMatrices() {}

  /** A copy of z with entry (i, j) moved by h. */
  static INDArray shifted(INDArray z, int i, int j, double h) {
    INDArray c = z.dup();
    c.putScalar(i, j, c.getDouble(i, j) + h);
    return c;
  }

  /** rows x cols standard normal entries from {@code random}. */
  static INDArray randn(Random random, int rows, int cols) {
    double[][] v = new double[rows][cols];
    for (double[] row : v) {
      for (int j = 0; j < cols; j++) {
        row[j] = random.nextGaussian();
      }
    }
    return Nd4j.create(v);
  }
}
