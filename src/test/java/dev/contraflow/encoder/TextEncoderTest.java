package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TextEncoderTest {

  static final TextEncoderConfig SMALL = new TextEncoderConfig(50, 6, 2, 8, 3, 0.1, 16, 4, 1L);

  private static INDArray[] pack(int[][][] tokens) {
    boolean[][] cut = new boolean[tokens.length][];
    boolean[][] features = new boolean[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      cut[i] = new boolean[tokens[i].length];
      features[i] = new boolean[0];
    }
    return TextInputs.pack(SMALL, tokens, cut, features);
  }

  @Test
  void representationIsTheMeanOverRealTokensSoPaddingDoesNotMatter() {
    Encoder e = Encoder.create(SMALL, OptimizerConfig.mocoDefaults());
    int[][] sentence = {{3, 4}, {5, 6}, {7, 7}};
    INDArray alone = e.infer(pack(new int[][][] {sentence})).representation();
    INDArray withLonger = e.infer(pack(new int[][][] {sentence,
        {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 9}}})).representation();
    assertEquals(8, alone.columns());
    assertArrayEquals(alone.getRow(0).toFloatVector(), withLonger.getRow(0).toFloatVector(), 1e-5f);
  }

  @Test
  void theSameSentenceTwiceInOneBatchGetsTwoDropoutMasksInTrainingOnly() {
    Encoder e = Encoder.create(SMALL, OptimizerConfig.mocoDefaults());
    int[][] sentence = {{3, 4}, {5, 6}, {7, 8}};
    INDArray[] in = pack(new int[][][] {sentence, sentence});
    Nd4j.getRandom().setSeed(1);
    INDArray z = e.forwardForTraining(in).projection();
    assertFalse(java.util.Arrays.equals(z.getRow(0).toFloatVector(), z.getRow(1).toFloatVector()),
        "SimCSE's positive pair: two dropout masks should give two different outputs");
    Nd4j.getRandom().setSeed(1);
    assertArrayEquals(z.ravel().toFloatVector(),
        e.forwardForTraining(in).projection().ravel().toFloatVector(),
        "the same seed should give the same masks");
    INDArray inferred = e.infer(in).projection();
    assertArrayEquals(inferred.getRow(0).toFloatVector(), inferred.getRow(1).toFloatVector(), 1e-6f);
  }

  @Test
  void externalErrorStepChangesParameters() {
    Encoder e = Encoder.create(SMALL, OptimizerConfig.mocoDefaults());
    INDArray[] in = pack(new int[][][] {{{3, 4}, {5, 6}}, {{8, 9}}});
    float[] before = e.params();
    INDArray z = e.forwardForTraining(in).projection();
    e.backwardAndUpdate(Nd4j.onesLike(z), 0);
    assertFalse(java.util.Arrays.equals(before, e.params()));
  }
}
