package dev.contraflow.contrast;

import static dev.contraflow.contrast.TestMatrices.randn;
import static dev.contraflow.contrast.TestMatrices.shifted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NegativeCosineLossTest {

  @Test
  void identicalDirectionsCostNothingWhateverTheirLength() {
    INDArray p = Nd4j.create(new double[][] {{3, 4}, {0, 2}});
    INDArray z = Nd4j.create(new double[][] {{0.6, 0.8}, {0, 50}});
    NegativeCosineLoss.Result r = NegativeCosineLoss.compute(p, z);
    assertEquals(0.0, r.loss(), 1e-9);
    assertEquals(1.0, r.meanCosine(), 1e-9);
    assertEquals(0.0, r.dLossDPrediction().norm2Number().doubleValue(), 1e-9);
  }

  @Test
  void oppositeDirectionsCostFourAndOrthogonalOnesTwo() {
    INDArray p = Nd4j.create(new double[][] {{1, 0}});
    assertEquals(4.0, NegativeCosineLoss.compute(p, Nd4j.create(new double[][] {{-2, 0}})).loss(),
        1e-9);
    assertEquals(2.0, NegativeCosineLoss.compute(p, Nd4j.create(new double[][] {{0, 5}})).loss(),
        1e-9);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Random random = new Random(9);
    INDArray p = randn(random, 4, 5);
    INDArray z = randn(random, 4, 5);
    INDArray analytic = NegativeCosineLoss.compute(p, z).dLossDPrediction();
    double h = 1e-6;
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 5; j++) {
        double numeric = (summed(shifted(p, i, j, h), z)
            - summed(shifted(p, i, j, -h), z)) / (2 * h);
        assertEquals(numeric, analytic.getDouble(i, j), 1e-6 * Math.max(1, Math.abs(numeric)),
            "dL/dp[" + i + "," + j + "]");
      }
    }
  }

  @Test
  void rejectsMismatchedShapes() {
    assertThrows(IllegalArgumentException.class, () -> NegativeCosineLoss.compute(
        Nd4j.create(new double[][] {{1, 0}}), Nd4j.create(new double[][] {{1, 0}, {0, 1}})));
  }

  private static double summed(INDArray p, INDArray z) {
    return NegativeCosineLoss.compute(p, z).loss() * p.rows();
  }
}
