package dev.contraflow.contrast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-wise L2 normalisation, as Java loops where the values are reachable (a c-ordered array on
 * the CPU backend) and as ND4J ops elsewhere (here: an f-ordered copy of the same values).
 */
class L2NormalizationTest {

  private static INDArray randn(long seed, int rows, int cols, DataType type) {
    Random r = new Random(seed);
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    return Nd4j.createFromArray(v).reshape(rows, cols).castTo(type);
  }

  @Test
  void rowsComeOutUnitLengthAndTheJavaLoopsGiveWhatTheNd4jOpsGive() {
    INDArray z = randn(1L, 5, 7, DataType.FLOAT);
    INDArray g = randn(2L, 5, 7, DataType.FLOAT);
    L2Normalization.Normalized java = L2Normalization.forward(z);
    L2Normalization.Normalized nd4j = L2Normalization.forward(z.dup('f'));
    INDArray lengths = java.unit().norm2(1);
    for (int b = 0; b < 5; b++) {
      assertEquals(1, lengths.getDouble(b), 1e-6, "row " + b);
    }
    assertTrue(nd4j.unit().equalsWithEps(java.unit(), 1e-6));
    assertTrue(nd4j.norms().equalsWithEps(java.norms(), 1e-5));
    L2Normalization.Normalized nd4jF = new L2Normalization.Normalized(nd4j.unit().dup('f'),
        nd4j.norms());
    assertTrue(L2Normalization.backward(g.dup('f'), nd4jF)
        .equalsWithEps(L2Normalization.backward(g, java), 1e-6));
  }

  /**
   * CMC's 3 x 256 rows of 128, shared over threads by row ranges: every row, forward and
   * backward, is bit for bit what normalising that row alone gives.
   */
  @Test
  void rowsSharedOverThreadsAreEachRowAloneBitForBit() {
    int rows = 768;
    int d = 128;
    assertTrue(2L * rows * d >= dev.contraflow.encoder.FixedRanges.MIN_PARALLEL_VALUES);
    INDArray z = randn(5L, rows, d, DataType.FLOAT);
    INDArray g = randn(6L, rows, d, DataType.FLOAT);
    L2Normalization.Normalized all = L2Normalization.forward(z);
    INDArray dz = L2Normalization.backward(g, all);
    for (int b = 0; b < rows; b += 37) {
      L2Normalization.Normalized one = L2Normalization.forward(z.getRow(b, true).dup());
      assertArrayEquals(one.unit().toFloatVector(), all.unit().getRow(b).toFloatVector(),
          "unit row " + b);
      assertArrayEquals(L2Normalization.backward(g.getRow(b, true).dup(), one).toFloatVector(),
          dz.getRow(b).toFloatVector(), "gradient row " + b);
    }
  }

  /** With L = sum(unit(z) * R), the backward pass matches central differences on z. */
  @Test
  void backwardMatchesFiniteDifferences() {
    INDArray z = randn(3L, 4, 6, DataType.DOUBLE);
    INDArray r = randn(4L, 4, 6, DataType.DOUBLE);
    INDArray analytic = L2Normalization.backward(r, L2Normalization.forward(z));
    double h = 1e-6;
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 6; j++) {
        INDArray plus = z.dup();
        plus.putScalar(i, j, z.getDouble(i, j) + h);
        INDArray minus = z.dup();
        minus.putScalar(i, j, z.getDouble(i, j) - h);
        double numeric = (L2Normalization.unit(plus).mul(r).sumNumber().doubleValue()
            - L2Normalization.unit(minus).mul(r).sumNumber().doubleValue()) / (2 * h);
        assertEquals(numeric, analytic.getDouble(i, j), 1e-7 + 1e-5 * Math.abs(numeric),
            "dz[" + i + ", " + j + "]");
      }
    }
  }
}
