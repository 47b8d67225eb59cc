package dev.contraflow.contrast;

import static dev.contraflow.contrast.TestMatrices.randn;
import static dev.contraflow.contrast.TestMatrices.shifted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InfoNceLossTest {

  @Test
  void identicalQueryKeyAndNegativesGiveLogOfKPlusOne() {
    // every logit equal: the positive is one of K + 1 equally likely choices
    int k = 7;
    INDArray q = Nd4j.create(new double[][] {{1, 0, 0}});
    INDArray negatives = Nd4j.create(DataType.DOUBLE, k, 3);
    negatives.getColumn(0).assign(1.0);
    InfoNceLoss.Result r = new InfoNceLoss(0.2).compute(q, q.dup(), negatives, List.of());
    assertEquals(Math.log(k + 1), r.loss(), 1e-9);
    assertEquals(1.0, r.positiveSimilarity(), 1e-12);
    assertEquals(1.0, r.negativeSimilarity(), 1e-12);
  }

  @Test
  void lossMatchesHandComputedValue() {
    // q.k+ = 1, q.n = 0 and -1 at T = 0.5: logits 2, 0, -2
    INDArray q = Nd4j.create(new double[][] {{1, 0}});
    INDArray negatives = Nd4j.create(new double[][] {{0, 1}, {-1, 0}});
    InfoNceLoss.Result r = new InfoNceLoss(0.5).compute(q, q.dup(), negatives, List.of());
    double expected = -2 + Math.log(Math.exp(2) + Math.exp(0) + Math.exp(-2));
    assertEquals(expected, r.loss(), 1e-9);
    assertEquals(-0.5, r.negativeSimilarity(), 1e-12);
  }

  @Test
  void excludedNegativeCountsAsAbsent() {
    INDArray q = Nd4j.create(new double[][] {{1, 0}});
    INDArray negatives = Nd4j.create(new double[][] {{0, 1}, {1, 0}});
    double withExclusion = new InfoNceLoss(0.5).compute(q, q.dup(), negatives,
        List.of(new InfoNceLoss.Exclusion(0, 1))).loss();
    double withoutThatNegative = new InfoNceLoss(0.5).compute(q, q.dup(),
        Nd4j.create(new double[][] {{0, 1}}), List.of()).loss();
    assertEquals(withoutThatNegative, withExclusion, 1e-9);
  }

  @Test
  void noNegativesGivesZeroLossAndZeroGradient() {
    INDArray q = Nd4j.create(new double[][] {{0.6, 0.8}});
    InfoNceLoss.Result r = new InfoNceLoss(0.2).compute(q, q.dup(), null, List.of());
    assertEquals(0.0, r.loss(), 1e-12);
    assertEquals(0.0, r.dLossDQuery().norm2Number().doubleValue(), 1e-12);
    assertTrue(Double.isNaN(r.negativeSimilarity()));
  }

  @Test
  void gradientThroughNormalisationMatchesFiniteDifferences() {
    Random random = new Random(3);
    int b = 3;
    int d = 5;
    INDArray z = randn(random, b, d); // raw projections: the loss sees z / ||z||
    INDArray keys = L2Normalization.unit(randn(random, b, d));
    INDArray negatives = L2Normalization.unit(randn(random, 6, d));
    List<InfoNceLoss.Exclusion> excluded = List.of(new InfoNceLoss.Exclusion(1, 2));
    InfoNceLoss loss = new InfoNceLoss(0.2);

    L2Normalization.Normalized n = L2Normalization.forward(z);
    INDArray analytic = L2Normalization.backward(
        loss.compute(n.unit(), keys, negatives, excluded).dLossDQuery(), n);

    double h = 1e-6;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < d; j++) {
        double summedPlus = summedLoss(loss, shifted(z, i, j, h), keys, negatives, excluded);
        double summedMinus = summedLoss(loss, shifted(z, i, j, -h), keys, negatives, excluded);
        double numeric = (summedPlus - summedMinus) / (2 * h);
        assertEquals(numeric, analytic.getDouble(i, j), 1e-6 * Math.max(1, Math.abs(numeric)),
            "dL/dz[" + i + "," + j + "]");
      }
    }
  }

  @Test
  void floatLossOnTheDirectGemmPathEqualsTheDoubleOne() {
    Random random = new Random(4);
    INDArray q = L2Normalization.unit(randn(random, 8, 16));
    INDArray keys = L2Normalization.unit(randn(random, 8, 16));
    INDArray negatives = L2Normalization.unit(randn(random, 40, 16));
    List<InfoNceLoss.Exclusion> excluded = List.of(new InfoNceLoss.Exclusion(3, 7));
    InfoNceLoss loss = new InfoNceLoss(0.2);
    InfoNceLoss.Result inDouble = loss.compute(q, keys, negatives, excluded);

    InfoNceLoss.Result inFloat = loss.compute(q.castTo(DataType.FLOAT),
        keys.castTo(DataType.FLOAT), negatives.castTo(DataType.FLOAT), excluded);

    assertEquals(inDouble.loss(), inFloat.loss(), 1e-5);
    assertEquals(inDouble.negativeSimilarity(), inFloat.negativeSimilarity(), 1e-6);
    assertTrue(inDouble.dLossDQuery().castTo(DataType.FLOAT).equalsWithEps(
        inFloat.dLossDQuery(), 1e-4));
  }

  @Test
  void inBatchKeysAsNegativesGiveLogOfBatchSizeWhenAllEqual() {
    // MoCo v3: the batch's keys are the negatives; a query's own key is its positive only
    INDArray q = Nd4j.create(new double[][] {{1, 0}, {1, 0}, {1, 0}});
    long[] ids = {1, 2, 3};
    InfoNceLoss.Result r = new InfoNceLoss(0.2).compute(q, q.dup(), q.dup(),
        InfoNceLoss.sameIdPairs(ids, ids));
    assertEquals(Math.log(3), r.loss(), 1e-9);
  }

  @Test
  void sameIdPairsFindEveryPairOfEqualIds() {
    assertEquals(List.of(new InfoNceLoss.Exclusion(0, 0), new InfoNceLoss.Exclusion(0, 2),
            new InfoNceLoss.Exclusion(1, 1), new InfoNceLoss.Exclusion(2, 0),
            new InfoNceLoss.Exclusion(2, 2)),
        InfoNceLoss.sameIdPairs(new long[] {5, 6, 5}, new long[] {5, 6, 5}));
  }

  @Test
  void rejectsNonPositiveTemperatureWithRemedy() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new InfoNceLoss(0.0));
    assertTrue(e.getMessage().contains("temperature must be > 0, got 0.0"), e.getMessage());
  }

  private static double summedLoss(InfoNceLoss loss, INDArray z, INDArray keys,
      INDArray negatives, List<InfoNceLoss.Exclusion> excluded) {
    return loss.compute(L2Normalization.unit(z), keys, negatives, excluded).loss() * z.rows();
  }
}
