package dev.contraflow.contrast;

import static dev.contraflow.contrast.TestMatrices.randn;
import static dev.contraflow.contrast.TestMatrices.shifted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SoftmaxCrossEntropyTest {

  private static final List<SoftmaxCrossEntropy.Cell> NONE = List.of();

  @Test
  void equalLogitsCostLogCAndPullOnlyTowardsTheTarget() {
    SoftmaxCrossEntropy.Result r =
        SoftmaxCrossEntropy.ofClasses(Nd4j.zeros(2, 4).castTo(
            org.nd4j.linalg.api.buffer.DataType.DOUBLE), new int[] {1, 3}, NONE);
    assertEquals(Math.log(4), r.meanLoss(), 1e-12);
    assertEquals(0.25 - 1, r.dLogits().getDouble(0, 1), 1e-12);
    assertEquals(0.25, r.dLogits().getDouble(0, 0), 1e-12);
    assertEquals(0.25 - 1, r.dLogits().getDouble(1, 3), 1e-12);
  }

  @Test
  void lossMatchesHandComputedValue() {
    // logits (2, 0, -1), target 0: -log(e^2 / (e^2 + 1 + e^-1))
    SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.ofClasses(
        Nd4j.create(new double[][] {{2, 0, -1}}), new int[] {0}, NONE);
    assertEquals(Math.log(1 + Math.exp(-2) + Math.exp(-3)), r.meanLoss(), 1e-12);
  }

  @Test
  void anExcludedCellCountsAsAbsentAndGetsNoGradient() {
    INDArray logits = Nd4j.create(new double[][] {{0, 5, 0}});
    SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.ofClasses(
        logits, new int[] {0}, List.of(new SoftmaxCrossEntropy.Cell(0, 1)));
    assertEquals(Math.log(2), r.meanLoss(), 1e-12);
    assertEquals(0.0, r.dLogits().getDouble(0, 1));
    assertEquals(5.0, logits.getDouble(0, 1), "the caller's logits stay as they were");
  }

  @Test
  void largeLogitsDoNotOverflow() {
    SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.ofClasses(
        Nd4j.create(new double[][] {{1000, 1000}}), new int[] {1}, NONE);
    assertEquals(Math.log(2), r.meanLoss(), 1e-12);
  }

  @Test
  void oneHotDistributionsAreTheSameAsClassIndices() {
    INDArray logits = randn(new Random(3), 3, 4);
    INDArray oneHot = Nd4j.create(new double[][] {{0, 0, 1, 0}, {1, 0, 0, 0}, {0, 0, 0, 1}});
    SoftmaxCrossEntropy.Result hard = SoftmaxCrossEntropy.ofClasses(logits, new int[] {2, 0, 3},
        List.of(new SoftmaxCrossEntropy.Cell(1, 3)));
    SoftmaxCrossEntropy.Result soft = SoftmaxCrossEntropy.ofDistributions(logits, oneHot,
        List.of(new SoftmaxCrossEntropy.Cell(1, 3)));
    assertEquals(hard.meanLoss(), soft.meanLoss(), 1e-12);
    assertTrue(hard.dLogits().equalsWithEps(soft.dLogits(), 1e-12));
  }

  @Test
  void softTargetGradientMatchesFiniteDifferences() {
    Random random = new Random(8);
    INDArray logits = randn(random, 3, 5);
    INDArray targets = randn(random, 3, 5);
    targets = org.nd4j.linalg.ops.transforms.Transforms.abs(targets, false);
    targets.diviColumnVector(targets.sum(true, 1));
    List<SoftmaxCrossEntropy.Cell> excluded = NONE;
    INDArray analytic = SoftmaxCrossEntropy.ofDistributions(logits, targets, excluded).dLogits();
    double h = 1e-6;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 5; j++) {
        double numeric = (SoftmaxCrossEntropy.ofDistributions(shifted(logits, i, j, h), targets,
            excluded).meanLoss() - SoftmaxCrossEntropy.ofDistributions(
                shifted(logits, i, j, -h), targets, excluded).meanLoss()) * 3 / (2 * h);
        assertEquals(numeric, analytic.getDouble(i, j), 1e-6, "dL/dlogits[" + i + "," + j + "]");
      }
    }
  }

  @Test
  void positivesKeptApartGiveTheLossAndGradientOfTheAssembledLogits() {
    Random random = new Random(5);
    INDArray positives = randn(random, 3, 1);
    INDArray others = randn(random, 3, 4).muli(3);
    INDArray assembled = Nd4j.hstack(positives, others); // the positive in column 0
    List<SoftmaxCrossEntropy.Cell> excluded = List.of(new SoftmaxCrossEntropy.Cell(2, 1));
    SoftmaxCrossEntropy.Result expected = SoftmaxCrossEntropy.ofClasses(assembled, new int[3],
        List.of(new SoftmaxCrossEntropy.Cell(2, 2)));

    SoftmaxCrossEntropy.Separated apart =
        SoftmaxCrossEntropy.ofPositives(positives, others.dup(), excluded);

    assertEquals(expected.meanLoss(), apart.meanLoss(), 1e-12);
    for (int b = 0; b < 3; b++) {
      assertEquals(expected.dLogits().getDouble(b, 0), apart.dPositive()[b], 1e-12);
      for (int j = 0; j < 4; j++) {
        assertEquals(expected.dLogits().getDouble(b, 1 + j),
            apart.othersScale()[b] * apart.exps().getDouble(b, j), 1e-12, "cell " + b + "," + j);
      }
    }
  }

  @Test
  void positivesKeptApartDoNotOverflowEither() {
    SoftmaxCrossEntropy.Separated r = SoftmaxCrossEntropy.ofPositives(
        Nd4j.create(new double[][] {{1000}}), Nd4j.create(new double[][] {{1000}}), NONE);
    assertEquals(Math.log(2), r.meanLoss(), 1e-12);
  }

  @Test
  void floatExpIsExpBelowAFloatsRoundingAndZeroForExcludedCells() {
    double[] x = new double[105_001];
    for (int i = 0; i < x.length; i++) {
      x[i] = -i * 0.001; // 0 down to -105
    }
    double[] y = x.clone();
    SoftmaxCrossEntropy.expOfNonPositive(y, y.length);
    for (int i = 0; i < x.length; i++) {
      double exact = Math.exp(x[i]);
      if (exact >= Float.MIN_NORMAL) {
        assertEquals(1, y[i] / exact, 1e-8, "exp(" + x[i] + ")");
      } else if (x[i] <= -104) {
        assertEquals(0f, (float) y[i], "exp(" + x[i] + ") as a float");
      }
    }
    assertEquals(1.0, y[0], "exp(0) exactly");
    double[] excluded = {SoftmaxCrossEntropy.EXCLUDED, -1e30};
    SoftmaxCrossEntropy.expOfNonPositive(excluded, 2);
    assertEquals(0f, (float) excluded[0]);
    assertEquals(0f, (float) excluded[1]);
  }

  /**
   * Float logits large enough that the rows are shared over threads: the Java pass gives what
   * ND4J's ops give (to float rounding) and what double precision gives, and the same bits every
   * run.
   */
  @Test
  void floatPositivesKeptApartMatchNd4jsOpsAndDoubleAndRepeatBitForBit() {
    Random random = new Random(6);
    int rows = 64;
    int k = 1024;
    INDArray positives = randn(random, rows, 1).muli(5);
    INDArray others = randn(random, rows, k).muli(5); // double
    List<SoftmaxCrossEntropy.Cell> excluded =
        List.of(new SoftmaxCrossEntropy.Cell(3, 7), new SoftmaxCrossEntropy.Cell(40, 1000));
    SoftmaxCrossEntropy.Separated exact =
        SoftmaxCrossEntropy.ofPositives(positives, others.dup(), excluded);
    INDArray positivesF = positives.castTo(DataType.FLOAT);
    SoftmaxCrossEntropy.Separated nd4j = SoftmaxCrossEntropy.ofPositives(positivesF,
        others.castTo(DataType.FLOAT).dup('f'), excluded); // column order: ND4J's ops
    SoftmaxCrossEntropy.Separated first = null;
    for (int run = 0; run < 5; run++) {
      SoftmaxCrossEntropy.Separated host = SoftmaxCrossEntropy.ofPositives(positivesF,
          others.castTo(DataType.FLOAT), excluded);
      if (first == null) {
        first = host;
        for (SoftmaxCrossEntropy.Separated other : List.of(exact, nd4j)) {
          assertEquals(other.meanLoss(), host.meanLoss(), 1e-5 * other.meanLoss());
          for (int b = 0; b < rows; b++) {
            assertEquals(other.dPositive()[b], host.dPositive()[b], 1e-6, "row " + b);
            for (int j = 0; j < k; j++) {
              assertEquals(other.othersScale()[b] * other.exps().getDouble(b, j),
                  host.othersScale()[b] * host.exps().getDouble(b, j), 1e-6,
                  "cell " + b + "," + j);
            }
          }
        }
        assertEquals(0f, host.exps().getFloat(3, 7), "an excluded cell");
        continue;
      }
      assertEquals(first.meanLoss(), host.meanLoss(), 0, "run " + run);
      assertArrayEquals(first.dPositive(), host.dPositive(), 0, "run " + run);
      assertArrayEquals(first.othersScale(), host.othersScale(), 0, "run " + run);
      assertTrue(java.util.Arrays.deepEquals(first.exps().toFloatMatrix(),
          host.exps().toFloatMatrix()), "exps bit for bit, run " + run);
    }
  }

  @Test
  void rejectsTargetsThatDoNotMatchTheRows() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SoftmaxCrossEntropy.ofClasses(Nd4j.zeros(3, 2), new int[] {0, 1}, NONE));
    assertTrue(e.getMessage().contains("3 rows, got 2 targets"), e.getMessage());
  }
}
