package dev.contraflow.contrast;

import static dev.contraflow.contrast.TestMatrices.randn;
import static dev.contraflow.contrast.TestMatrices.shifted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DinoLossTest {

  private static INDArray row(double... v) {
    return Nd4j.create(new double[][] {v});
  }

  @Test
  void targetsAreTheCentredTeacherOutputsSharpenedBySoftmax() {
    double t = 0.04;
    // (g - C) / t = (ln 3, 0): softmax (3/4, 1/4); the centre is subtracted dimension by dimension
    INDArray p = DinoLoss.targets(row(2 * t * Math.log(3), 0), row(t * Math.log(3), 0), t);
    assertArrayEquals(new double[] {0.75, 0.25}, p.toDoubleVector(), 1e-9);
  }

  @Test
  void lowerTeacherTemperatureGivesSharperTargets() {
    INDArray g = row(0.1, 0, -0.1);
    INDArray c = row(0, 0, 0);
    double sharp = DinoLoss.meanEntropy(DinoLoss.targets(g, c, 0.04));
    double soft = DinoLoss.meanEntropy(DinoLoss.targets(g, c, 0.07));
    assertEquals(true, sharp < soft, "entropy at 0.04 " + sharp + ", at 0.07 " + soft);
  }

  @Test
  void lossMatchesHandComputedCrossEntropyOverPairsOfDifferentViews() {
    // student views at tau_s 0.1: logits (1, 0), (0, 0), (0, 1); targets of the global views
    INDArray[] student = {row(0.1, 0), row(0, 0), row(0, 0.1)};
    INDArray[] targets = {row(0.75, 0.25), row(0.5, 0.5)};
    DinoLoss.Result r = new DinoLoss(0.1).compute(student, targets);
    // a = -log softmax of the larger logit = ln(1 + e^-1); the smaller's is a + 1
    double a = Math.log(1 + Math.exp(-1));
    double g0v1 = Math.log(2);
    double g0v2 = 0.75 * (a + 1) + 0.25 * a;
    double g1v0 = 0.5 * a + 0.5 * (a + 1);
    double g1v2 = 0.5 * (a + 1) + 0.5 * a;
    assertEquals(4, r.pairs(), "two global views x the two other views each");
    assertEquals((g0v1 + g0v2 + g1v0 + g1v2) / 4, r.loss(), 1e-9);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Random random = new Random(11);
    int n = 3;
    int k = 5;
    INDArray[] student = {randn(random, n, k).muli(0.3), randn(random, n, k).muli(0.3),
        randn(random, n, k).muli(0.3), randn(random, n, k).muli(0.3)};
    INDArray center = randn(random, 1, k).muli(0.1);
    INDArray[] targets = {DinoLoss.targets(randn(random, n, k).muli(0.1), center, 0.04),
        DinoLoss.targets(randn(random, n, k).muli(0.1), center, 0.04)};
    DinoLoss loss = new DinoLoss(0.1);
    DinoLoss.Result r = loss.compute(student, targets);
    double h = 1e-6;
    for (int v = 0; v < student.length; v++) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < k; j++) {
          INDArray[] up = student.clone();
          INDArray[] down = student.clone();
          up[v] = shifted(student[v], i, j, h);
          down[v] = shifted(student[v], i, j, -h);
          // the gradient is of the sum over pairs and rows: the mean times pairs x N
          double numeric = (loss.compute(up, targets).loss() - loss.compute(down, targets).loss())
              * r.pairs() * n / (2 * h);
          assertEquals(numeric, r.dLossDStudent()[v].getDouble(i, j),
              1e-5 * Math.max(1, Math.abs(numeric)), "dL/dg_s[" + v + "][" + i + "," + j + "]");
        }
      }
    }
  }

  @Test
  void centerIsAnEmaOfTheTeachersMeanOutput() {
    INDArray teacher = Nd4j.create(new double[][] {{0, 2}, {2, 0}}); // mean (1, 1)
    INDArray c = DinoLoss.updatedCenter(row(1, 0), teacher, 0.9);
    assertArrayEquals(new double[] {1.0, 0.1}, c.toDoubleVector(), 1e-9);
  }

  @Test
  void entropyIsLogKForUniformTargetsAndZeroForOneHot() {
    assertEquals(Math.log(4), DinoLoss.meanEntropy(row(0.25, 0.25, 0.25, 0.25)), 1e-9);
    assertEquals(0, DinoLoss.meanEntropy(row(0, 1, 0, 0)), 1e-9);
  }

  @Test
  void refusesANonPositiveStudentTemperature() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DinoLoss(0));
    assertEquals(true, e.getMessage().contains("DINO uses 0.1"), e.getMessage());
  }
}
