package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HashedBagEncoderTest {

  /** 40 rows of width 6, one id per token, no dropout (so training and inference agree). */
  private static final TextEncoderConfig BAG = new TextEncoderConfig(40, 5, 1, 6, 1, 0.0, 1, 6,
      3L, TextEncoderKind.HASHED_BAG);
  private static final OptimizerConfig ADAGRAD =
      new OptimizerConfig(OptimizerConfig.Kind.ADAGRAD, 0.1, 0, 0);

  private static INDArray[] pack(TextEncoderConfig c, int[][][] tokens, float[][] weights) {
    boolean[][] cut = new boolean[tokens.length][];
    boolean[][] features = new boolean[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      cut[i] = new boolean[tokens[i].length];
      features[i] = new boolean[0];
    }
    return TextInputs.pack(c, tokens, cut, features, weights);
  }

  private static float[] row(Encoder e, int id) {
    float[] all = e.params();
    float[] out = new float[BAG.width()];
    System.arraycopy(all, id * BAG.width(), out, 0, out.length);
    return out;
  }

  @Test
  void theRepresentationIsThePoolingWeightedMeanOfTheTokensRows() {
    Encoder e = Encoder.create(BAG, ADAGRAD);
    int[][] sentence = {{3}, {7}, {3}};
    INDArray r = e.infer(pack(BAG, new int[][][] {sentence, {{1}, {2}, {4}, {5}}},
        new float[][] {{1f, 2f, 1f}, {1f, 1f, 1f, 1f}})).representation();
    float[] three = row(e, 3);
    float[] seven = row(e, 7);
    for (int f = 0; f < BAG.width(); f++) {
      assertEquals((2 * three[f] + 2 * seven[f]) / 4, r.getFloat(0, f), 1e-6f);
    }
    assertEquals(r, e.infer(pack(BAG, new int[][][] {sentence, {{1}, {2}, {4}, {5}}},
        new float[][] {{1f, 2f, 1f}, {1f, 1f, 1f, 1f}})).projection(),
        "no head: the projection is the representation");
  }

  @Test
  void anUpdateMovesOnlyTheRowsItsBatchTouched() {
    Encoder e = Encoder.create(BAG, ADAGRAD);
    float[] before = e.params();
    INDArray[] in = pack(BAG, new int[][][] {{{3}, {7}}, {{9}}}, null);
    Encoder.Forward f = e.forwardForTraining(in);
    e.backwardAndUpdate(Nd4j.ones(f.projection().shape()), 0, 2);
    float[] after = e.params();
    float[] accumulators = e.updaterState();
    assertEquals(BAG.vocabularySize(), accumulators.length, "row-wise Adagrad: one per row");
    for (int id = 0; id < BAG.vocabularySize(); id++) {
      boolean touched = id == 3 || id == 7 || id == 9;
      for (int k = 0; k < BAG.width(); k++) {
        int i = id * BAG.width() + k;
        if (touched) {
          assertNotEquals(before[i], after[i], "row " + id + " was in the batch");
        } else {
          assertEquals(before[i], after[i], "row " + id + " was not in the batch");
        }
      }
      assertEquals(touched, accumulators[id] > 0, "accumulator of row " + id);
    }
  }

  @Test
  void aStepAgainstTheGradientLowersALinearLoss() {
    Encoder e = Encoder.create(BAG, new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.5, 0, 0));
    INDArray[] in = pack(BAG, new int[][][] {{{3}, {7}}, {{9}, {3}}}, null);
    INDArray direction = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 6).subi(0.5);
    double loss = e.forwardForTraining(in).projection().mul(direction).sumNumber().doubleValue();
    e.backwardAndUpdate(direction, 0, 1);
    double after = e.infer(in).projection().mul(direction).sumNumber().doubleValue();
    assertTrue(after < loss, "loss " + loss + " -> " + after);
  }

  @Test
  void lazyAdamKeepsBothMomentsOfEveryRowAndMovesOnlyTouchedOnes() {
    Encoder e = Encoder.create(BAG, new OptimizerConfig(OptimizerConfig.Kind.ADAM, 0.01, 0, 0));
    assertEquals(2L * BAG.vocabularySize() * BAG.width(), e.updaterState().length);
    float[] before = e.params();
    INDArray[] in = pack(BAG, new int[][][] {{{5}}}, null);
    e.forwardForTraining(in);
    e.backwardAndUpdate(Nd4j.ones(1, 6), 0, 1);
    float[] after = e.params();
    assertArrayEquals(java.util.Arrays.copyOf(before, 5 * 6),
        java.util.Arrays.copyOf(after, 5 * 6));
    assertNotEquals(before[5 * 6], after[5 * 6]);
  }

  @Test
  void aProjectionOfAnotherSizeThanTheWidthIsRefusedWithTheRemedy() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TextEncoderConfig(40, 5, 1, 6, 1, 0.0, 1, 8, 3L, TextEncoderKind.HASHED_BAG));
    assertTrue(e.getMessage().contains("set projectionDim to 6"), e.getMessage());
  }

  @Test
  void sgdWithMomentumIsRefusedForSparseRows() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Encoder.create(BAG, new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.1, 0.9, 0)));
    assertTrue(e.getMessage().contains("ADAGRAD"), e.getMessage());
  }
}
