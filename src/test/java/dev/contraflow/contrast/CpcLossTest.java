package dev.contraflow.contrast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  /**
   * One context, W = I: its future scores c.z = 2; the queue holds another sequence's encoding
   * (score 0) and one of its own sequence (score 6, which would win): the own one leaves the
   * softmax, so the loss is -log(e^2 / (e^2 + e^0)) and the future is picked.
   */
  @Test
  void queuedEncodingsOfOtherSequencesAreNegativesAndTheContextsOwnAreLeftOut() {
    INDArray context = Nd4j.createFromArray(new double[][] {{2, 0}});
    CpcLoss.Queued queued = new CpcLoss.Queued(
        Nd4j.createFromArray(new double[][] {{0, 1}, {3, 0}}), new long[] {5, 6});
    CpcLoss.Result r = CpcLoss.compute(context, new long[] {6}, List.of(new CpcLoss.Offset(
        new int[] {0}, Nd4j.createFromArray(new double[][] {{1, 0}}),
        Nd4j.eye(2).castTo(DataType.DOUBLE))), queued);
    assertEquals(Math.log(1 + Math.exp(-2)), r.loss(), 1e-12);
    assertEquals(1.0, r.accuracy(), "the excluded key's 6 does not count against the future's 2");
  }

  /** A lone context has no in-batch negative; with a queue it has, so its offset is scored. */
  @Test
  void aQueueGivesALoneContextNegatives() {
    INDArray context = Nd4j.createFromArray(new double[][] {{1, 0}});
    CpcLoss.Offset lone = new CpcLoss.Offset(new int[] {0},
        Nd4j.createFromArray(new double[][] {{1, 0}}), Nd4j.eye(2).castTo(DataType.DOUBLE));
    assertEquals(0.0, CpcLoss.compute(context, List.of(lone)).loss());
    CpcLoss.Queued queued = new CpcLoss.Queued(Nd4j.createFromArray(new double[][] {{1, 0}}),
        new long[] {9});
    // logits [1, 1]: chance between the future and the queued key
    assertEquals(Math.log(2), CpcLoss.compute(context, new long[] {1}, List.of(lone), queued)
        .loss(), 1e-12);
  }

  @Test
  void refusesQueuedKeysWithoutTheirSequences() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CpcLoss.Queued(random(1, 3, 2), new long[] {1, 2}));
    assertEquals("one sequence per queued key: 3 keys, got 2 sequences", e.getMessage());
  }

  /**
   * The queue's terms against central differences: K = 2 offsets (one with a row missing), a
   * queue of 5 keys, two of them of a context's own sequence (left out of that row's softmax).
   */
  @Test
  void gradientsWithAQueueMatchFiniteDifferences() {
    INDArray context = random(14, 4, 3);
    long[] sequences = {10, 11, 12, 13};
    CpcLoss.Queued queued = new CpcLoss.Queued(random(15, 5, 2), new long[] {11, 20, 13, 21, 22});
    List<CpcLoss.Offset> offsets = List.of(
        new CpcLoss.Offset(new int[] {0, 1, 2, 3}, random(16, 4, 2), random(17, 3, 2)),
        new CpcLoss.Offset(new int[] {1, 3}, random(18, 2, 2), random(19, 3, 2)));
    CpcLoss.Result r = CpcLoss.compute(context, sequences, offsets, queued);
    DoubleSupplier loss = () -> CpcLoss.compute(context, sequences, offsets, queued).loss();
    assertMatches(context, r.dContext(), loss);
    for (int k = 0; k < offsets.size(); k++) {
      assertMatches(offsets.get(k).futures(), r.dFutures().get(k), loss);
      assertMatches(offsets.get(k).weight(), r.dWeights().get(k), loss);
    }
    CpcLoss.Result inBatch = CpcLoss.compute(context, offsets);
    assertTrue(r.loss() > inBatch.loss(), "five more negatives raise the loss: " + r.loss()
        + " vs " + inBatch.loss());
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
