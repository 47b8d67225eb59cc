package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
  void poolingWeightsMakeTheRepresentationTheirWeightedMean() {
    Encoder e = Encoder.create(SMALL, OptimizerConfig.mocoDefaults());
    int[][] sentence = {{3, 4}, {5, 6}};
    boolean[][] cut = {new boolean[2]};
    boolean[][] features = {new boolean[0]};
    INDArray[] in = TextInputs.pack(SMALL, new int[][][] {sentence}, cut, features,
        new float[][] {{3f, 1f}});
    assertArrayEquals(new float[] {3f, 1f}, in[2].get(NDArrayIndex.point(0),
        NDArrayIndex.point(5), NDArrayIndex.all()).toFloatVector(), "tokenMask holds w_t");
    assertEquals(0.25f, in[3].getFloat(0, 7), 1e-7f, "inverseLength is 1 / sum(w_t)");
    // the same contextual token vectors h_t, pooled as (3 h_0 + h_1) / 4
    float[] h0 = e.infer(pack(new int[][][] {sentence})).representation().toFloatVector();
    INDArray weighted = e.infer(in).representation();
    INDArray firstOnly = e.infer(TextInputs.pack(SMALL, new int[][][] {sentence}, cut, features,
        new float[][] {{1f, 1e-30f}})).representation();
    INDArray lastOnly = e.infer(TextInputs.pack(SMALL, new int[][][] {sentence}, cut, features,
        new float[][] {{1e-30f, 1f}})).representation();
    assertArrayEquals(firstOnly.mul(0.75).add(lastOnly.mul(0.25)).toFloatVector(),
        weighted.toFloatVector(), 1e-5f);
    assertArrayEquals(firstOnly.add(lastOnly).div(2).toFloatVector(), h0, 1e-5f,
        "weights of 1 are mean pooling");
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
