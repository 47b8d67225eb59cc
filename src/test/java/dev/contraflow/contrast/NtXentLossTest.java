package dev.contraflow.contrast;

import static dev.contraflow.contrast.TestMatrices.randn;
import static dev.contraflow.contrast.TestMatrices.shifted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NtXentLossTest {

  private static final long[] TWO_RECORDS = {11, 22};

  @Test
  void allViewsIdenticalGiveLogOfTwoNMinusOne() {
    // every candidate equally similar: the positive is one of 2N - 1 = 5 choices
    INDArray z = Nd4j.create(new double[][] {{1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}});
    NtXentLoss.Result r = new NtXentLoss(0.5).compute(z, new long[] {1, 2, 3});
    assertEquals(Math.log(5), r.loss(), 1e-9);
    assertEquals(1.0, r.positiveSimilarity(), 1e-12);
    assertEquals(1.0, r.negativeSimilarity(), 1e-12);
  }

  @Test
  void identicalPairsOfOrthogonalRecordsMatchHandComputedValue() {
    // record 0 is e1 in both views, record 1 is e2: each anchor sees its positive at similarity 1
    // and two negatives at 0, so l = -2 + log(e^2 + 2) at T = 0.5
    INDArray z = Nd4j.create(new double[][] {{1, 0}, {0, 1}, {1, 0}, {0, 1}});
    NtXentLoss.Result r = new NtXentLoss(0.5).compute(z, TWO_RECORDS);
    assertEquals(-2 + Math.log(Math.exp(2) + 2), r.loss(), 1e-9);
    assertEquals(0.0, r.negativeSimilarity(), 1e-12);
  }

  @Test
  void orthogonalPositivesCostMoreThanIdenticalOnes() {
    INDArray aligned = Nd4j.create(new double[][] {{1, 0, 0}, {0, 0, 1}, {1, 0, 0}, {0, 0, 1}});
    INDArray apart = Nd4j.create(new double[][] {{1, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, -1, 0}});
    NtXentLoss loss = new NtXentLoss(0.5);
    assertTrue(loss.compute(apart, TWO_RECORDS).loss() > loss.compute(aligned, TWO_RECORDS).loss());
    assertEquals(0.0, loss.compute(apart, TWO_RECORDS).positiveSimilarity(), 1e-12);
  }

  @Test
  void aRecordTwiceInTheBatchIsNotItsOwnNegative() {
    // both records have the same id: the only candidate left to each anchor is its positive
    INDArray z = Nd4j.create(new double[][] {{1, 0}, {0, 1}, {1, 0}, {0, 1}});
    NtXentLoss.Result r = new NtXentLoss(0.5).compute(z, new long[] {7, 7});
    assertEquals(0.0, r.loss(), 1e-9);
    assertTrue(Double.isNaN(r.negativeSimilarity()));
    assertEquals(0.0, r.dLossDz().norm2Number().doubleValue(), 1e-12);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Random random = new Random(5);
    int n = 3;
    INDArray z = L2Normalization.unit(randn(random, 2 * n, 4));
    long[] ids = {1, 2, 1}; // records 0 and 2 share an id: excluded pairs are in play
    NtXentLoss loss = new NtXentLoss(0.3);
    INDArray analytic = loss.compute(z, ids).dLossDz();
    double h = 1e-6;
    for (int i = 0; i < 2 * n; i++) {
      for (int j = 0; j < 4; j++) {
        double numeric = (summed(loss, shifted(z, i, j, h), ids)
            - summed(loss, shifted(z, i, j, -h), ids)) / (2 * h);
        assertEquals(numeric, analytic.getDouble(i, j), 1e-6 * Math.max(1, Math.abs(numeric)),
            "dL/dz[" + i + "," + j + "]");
      }
    }
  }

  @Test
  void rejectsAnOddNumberOfViews() {
    INDArray z = Nd4j.create(new double[][] {{1, 0}, {0, 1}, {1, 0}});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new NtXentLoss(0.5).compute(z, TWO_RECORDS));
    assertTrue(e.getMessage().contains("needs 2N views"), e.getMessage());
  }

  @Test
  void rejectsNonPositiveTemperatureWithRemedy() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new NtXentLoss(-1));
    assertTrue(e.getMessage().contains("SimCLR uses 0.5"), e.getMessage());
  }

  /** The summed loss at z (not renormalised: NT-Xent is a function of the given rows). */
  private static double summed(NtXentLoss loss, INDArray z, long[] ids) {
    return loss.compute(z, ids).loss() * z.rows();
  }
}
