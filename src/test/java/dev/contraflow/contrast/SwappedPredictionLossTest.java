package dev.contraflow.contrast;

import static dev.contraflow.contrast.TestMatrices.randn;
import static dev.contraflow.contrast.TestMatrices.shifted;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SwappedPredictionLossTest {

  @Test
  void equalScoresCostLogKWhateverTheCode() {
    INDArray codes = Nd4j.create(new double[][] {{1, 0, 0, 0}, {0.25, 0.25, 0.25, 0.25}});
    SwappedPredictionLoss.Result r = new SwappedPredictionLoss(0.1)
        .compute(Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 2, 4), codes);
    assertEquals(Math.log(4), r.loss(), 1e-9);
  }

  @Test
  void lossMatchesHandComputedCrossEntropy() {
    // scores 0.1 and 0 at tau 0.1: logits 1 and 0; code (1, 0): -log(e / (e + 1))
    SwappedPredictionLoss.Result r = new SwappedPredictionLoss(0.1).compute(
        Nd4j.create(new double[][] {{0.1, 0}}), Nd4j.create(new double[][] {{1, 0}}));
    assertEquals(Math.log(1 + Math.exp(-1)), r.loss(), 1e-9);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Random random = new Random(4);
    INDArray scores = randn(random, 3, 5).muli(0.3);
    INDArray codes = SinkhornKnopp.swavDefaults().codes(randn(random, 3, 5));
    SwappedPredictionLoss loss = new SwappedPredictionLoss(0.1);
    INDArray analytic = loss.compute(scores, codes).dLossDScores();
    double h = 1e-6;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 5; j++) {
        double numeric = (loss.compute(shifted(scores, i, j, h), codes).loss()
            - loss.compute(shifted(scores, i, j, -h), codes).loss()) * 3 / (2 * h);
        assertEquals(numeric, analytic.getDouble(i, j), 1e-5 * Math.max(1, Math.abs(numeric)),
            "dL/ds[" + i + "," + j + "]");
      }
    }
  }
}
