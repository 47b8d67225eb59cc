package dev.contraflow.contrast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CpcLossTest {

  private static INDArray random(long seed, int rows, int cols) {
    Random rng = new Random(seed);
    double[][] v = new double[rows][cols];
    for (double[] row : v) {
      for (int j = 0; j < cols; j++) {
        row[j] = rng.nextGaussian();
      }
    }
    return Nd4j.createFromArray(v);
  }

  @Test
  void eachContextMustPickItsOwnFutureAmongTheOtherSequences() {
    // W = I: logits = c z^T = [[2, 0], [0, 1]]
    INDArray context = Nd4j.createFromArray(new double[][] {{2, 0}, {0, 1}});
    INDArray futures = Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}});
    CpcLoss.Result r = CpcLoss.compute(context, List.of(
        new CpcLoss.Offset(new int[] {0, 1}, futures, Nd4j.eye(2).castTo(DataType.DOUBLE))));
    double expected = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-1))) / 2;
    assertEquals(expected, r.loss(), 1e-12);
    assertEquals(1.0, r.accuracy());
  }

  @Test
  void anOffsetWithOneSequenceLeftHasNoNegativeAndAddsNothing() {
    INDArray context = Nd4j.createFromArray(new double[][] {{2, 0}, {0, 1}});
    INDArray eye = Nd4j.eye(2).castTo(DataType.DOUBLE);
    CpcLoss.Offset both = new CpcLoss.Offset(new int[] {0, 1},
        Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}}), eye);
    CpcLoss.Offset last = new CpcLoss.Offset(new int[] {1},
        Nd4j.createFromArray(new double[][] {{5, 5}}), eye);
    assertEquals(CpcLoss.compute(context, List.of(both)).loss(),
        CpcLoss.compute(context, List.of(both, last)).loss(), 1e-15);
  }

  @Test
  void aContextWithoutAFutureAtAnOffsetGetsNoGradientFromIt() {
    INDArray context = random(1, 3, 4);
    CpcLoss.Result r = CpcLoss.compute(context, List.of(
        new CpcLoss.Offset(new int[] {0, 2}, random(2, 2, 3), random(3, 4, 3))));
    assertEquals(0.0, r.dContext().getRow(1).norm2Number().doubleValue());
  }

  @Test
  void refusesFuturesThatDoNotMatchTheRows() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CpcLoss.Offset(new int[] {0, 1, 2}, random(1, 2, 3), random(2, 4, 3)));
    assertEquals("one future per context row: 3 rows, got 2 futures", e.getMessage());
  }

  /** Every input of two offsets (K = 2, one with a row missing) against central differences. */
  @Test
  void gradientsMatchFiniteDifferences() {
    INDArray context = random(4, 4, 3);
    List<CpcLoss.Offset> offsets = List.of(
        new CpcLoss.Offset(new int[] {0, 1, 2, 3}, random(5, 4, 2), random(6, 3, 2)),
        new CpcLoss.Offset(new int[] {0, 1, 3}, random(7, 3, 2), random(8, 3, 2)));
    CpcLoss.Result r = CpcLoss.compute(context, offsets);
    DoubleSupplier loss = () -> CpcLoss.compute(context, offsets).loss();
    assertMatches(context, r.dContext(), loss);
    for (int k = 0; k < offsets.size(); k++) {
      assertMatches(offsets.get(k).futures(), r.dFutures().get(k), loss);
      assertMatches(offsets.get(k).weight(), r.dWeights().get(k), loss);
    }
  }

  private static void assertMatches(INDArray x, INDArray analytic, DoubleSupplier loss) {
    double h = 1e-6;
    for (int i = 0; i < x.length(); i++) {
      double original = x.getDouble(i);
      x.putScalar(i, original + h);
      double plus = loss.getAsDouble();
      x.putScalar(i, original - h);
      double minus = loss.getAsDouble();
      x.putScalar(i, original);
      double numeric = (plus - minus) / (2 * h);
      assertEquals(numeric, analytic.getDouble(i), 1e-8 + 1e-6 * Math.abs(numeric), "value " + i);
    }
  }
}
