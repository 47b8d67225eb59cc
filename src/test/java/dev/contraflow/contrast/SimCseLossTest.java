package dev.contraflow.contrast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SimCseLossTest {

  private static INDArray rows(double[][] r) {
    return Nd4j.create(r).castTo(DataType.DOUBLE);
  }

  private static final double S = Math.sqrt(0.5);
  // two queries on the axes, their positives nearby, a contradiction close to query 0
  private static final INDArray Q = rows(new double[][] {{1, 0}, {0, 1}});
  private static final INDArray P = rows(new double[][] {{S, S}, {0, 1}});
  private static final INDArray HARD = rows(new double[][] {{1, 0}});

  @Test
  void supervisedLossPutsTheHardNegativeInEveryDenominator() {
    double t = 0.5;
    SimCseLoss.Result r = new SimCseLoss(t).compute(Q, P, HARD, null, List.of());
    // by hand: candidates [p0, p1, h0]; similarities of q0: S, 0, 1; of q1: S, 1, 0
    double l0 = -S / t + Math.log(Math.exp(S / t) + Math.exp(0) + Math.exp(1 / t));
    double l1 = -1 / t + Math.log(Math.exp(S / t) + Math.exp(1 / t) + Math.exp(0));
    assertEquals((l0 + l1) / 2, r.loss(), 1e-9);
    assertEquals((S + 1) / 2, r.positiveSimilarity(), 1e-9);
    assertEquals((0 + 1 + S + 0) / 4, r.negativeSimilarity(), 1e-9);
  }

  @Test
  void aHardNegativeCloseToTheQueryRaisesTheLoss() {
    SimCseLoss loss = new SimCseLoss(0.05);
    double without = loss.compute(Q, P, null, null, List.of()).loss();
    double with = loss.compute(Q, P, HARD, null, List.of()).loss();
    assertTrue(with > without + 1, "hard negative: " + with + " vs none: " + without);
  }

  @Test
  void gradientsMatchFiniteDifferencesForQueriesPositivesAndHardNegatives() {
    SimCseLoss loss = new SimCseLoss(0.3);
    INDArray queue = rows(new double[][] {{-1, 0}, {S, -S}});
    SimCseLoss.Result r = loss.compute(Q, P, HARD, queue, List.of());
    double eps = 1e-6;
    for (INDArray[] pair : List.of(new INDArray[] {Q, r.dLossDQuery()},
        new INDArray[] {P, r.dLossDPositive()}, new INDArray[] {HARD, r.dLossDHardNegative()})) {
      INDArray x = pair[0];
      for (int i = 0; i < x.rows(); i++) {
        for (int j = 0; j < x.columns(); j++) {
          double old = x.getDouble(i, j);
          x.putScalar(i, j, old + eps);
          double up = loss.compute(Q, P, HARD, queue, List.of()).loss();
          x.putScalar(i, j, old - eps);
          double down = loss.compute(Q, P, HARD, queue, List.of()).loss();
          x.putScalar(i, j, old);
          // the result holds the gradient of the summed loss; loss() is the mean over B = 2
          assertEquals((up - down) / (2 * eps) * 2, pair[1].getDouble(i, j), 1e-5,
              "d loss / d x[" + i + "," + j + "]");
        }
      }
    }
  }

  @Test
  void excludedQueueEntriesDoNotCount() {
    SimCseLoss loss = new SimCseLoss(0.1);
    INDArray queue = rows(new double[][] {{1, 0}});
    double without = loss.compute(Q, P, null, null, List.of()).loss();
    // column 2 is the queued key: excluded for query 0 only; query 1 is orthogonal to it anyway
    double excluded = loss.compute(Q, P, null, queue,
        List.of(new InfoNceLoss.Exclusion(0, 2))).loss();
    double kept = loss.compute(Q, P, null, queue, List.of()).loss();
    assertTrue(kept > excluded + 0.5, kept + " vs " + excluded);
    assertTrue(excluded >= without, excluded + " vs " + without);
  }

  @Test
  void temperatureMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SimCseLoss(0));
    assertTrue(e.getMessage().contains("SimCSE uses 0.05"), e.getMessage());
  }
}
