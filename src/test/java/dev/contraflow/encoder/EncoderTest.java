package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class EncoderTest {

  private static final OptimizerConfig SGD = new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.1,
      0.9, 0);

  private static float[][] images(int n, int size) {
    float[][] x = new float[n][size];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < size; j++) {
        x[i][j] = ((i * 7 + j * 3) % 10) / 10f;
      }
    }
    return x;
  }

  @Test
  void everyKindProducesRepresentationAndProjectionOfTheConfiguredSizes() {
    for (EncoderKind kind : EncoderKind.values()) {
      EncoderConfig c = new EncoderConfig(kind, 3, 32, 32, 4, 1, 16, 8, 1L);
      Encoder e = Encoder.create(c, SGD);
      Encoder.Forward f = e.infer(e.batch(images(2, c.inputSize())));
      assertArrayEquals(new long[] {2, c.representationDim()}, f.representation().shape(), kind.name());
      assertArrayEquals(new long[] {2, 8}, f.projection().shape(), kind.name());
    }
  }

  /**
   * Issue 20: after a ReLU every embedding lies in the non-negative orthant, where all cosines are
   * positive and kNN's exp(cos / T) weighting flattens; the hand-written MLP kinds embed their last
   * batch norm's output before the ReLU instead (the ReLU opens the head), in inference mode as
   * every embedding path uses them. The DL4J graphs keep theirs after it: DL4J's inference-mode
   * ActivationLayer applies its ReLU in place, over the batch norm's output.
   */
  @Test
  void gemmMlpKindsEmbedTheLastBatchNormOutputBeforeItsRelu() {
    for (EncoderKind kind : EncoderKind.values()) {
      EncoderConfig c = new EncoderConfig(kind, 1, 16, 16, 4, 1, 16, 8, 1L);
      Encoder e = Encoder.create(c, SGD);
      e.forwardForTraining(e.batch(images(8, c.inputSize()))); // moves the running statistics
      INDArray rep = e.infer(e.batch(images(8, c.inputSize()))).representation();
      double min = rep.minNumber().doubleValue();
      // the ViT's representation is the token mean after a layer norm: signed as well
      boolean signed = kind == EncoderKind.GEMM_MLP || kind == EncoderKind.PATCH_MLP
          || kind == EncoderKind.VIT;
      if (signed) {
        assertTrue(min < 0, kind + ": signed representation expected, min " + min);
      } else {
        assertTrue(min >= 0, kind + ": after a ReLU, min " + min);
      }
    }
  }

  @Test
  void projectionHiddenZeroIsALinearHead() {
    EncoderConfig mlp = new EncoderConfig(EncoderKind.MLP, 1, 8, 8, 2, 1, 16, 8, 1L);
    EncoderConfig linear = new EncoderConfig(EncoderKind.MLP, 1, 8, 8, 2, 1, 0, 8, 1L);
    int r = mlp.representationDim();
    int mlpHead = (r * 16 + 16) + (16 * 8 + 8);
    int linearHead = r * 8 + 8;
    assertEquals(mlpHead - linearHead,
        Encoder.create(mlp, SGD).params().length - Encoder.create(linear, SGD).params().length);
    Encoder e = Encoder.create(linear, SGD);
    Encoder.Forward f = e.infer(e.batch(images(3, linear.inputSize())));
    assertArrayEquals(new long[] {3, 8}, f.projection().shape());
  }

  @Test
  void withAPredictorTheProjectorHasBatchNormInItsHiddenLayerToo() {
    EncoderConfig c = new EncoderConfig(EncoderKind.MLP, 1, 8, 8, 2, 1, 16, 8, 1L);
    int batchNorm = 4 * 16; // gamma, beta, running mean and variance of 16 units
    int predictor = (8 * 16 + 16) + batchNorm + (16 * 8 + 8);
    assertEquals(predictor + batchNorm,
        Encoder.create(c, SGD, 16).params().length - Encoder.create(c, SGD).params().length,
        "the predictor, and BN in the projector (BYOL, SimSiam, MoCo v3)");
  }

  @Test
  void parametersAndOptimiserStateRoundTripExactly() {
    EncoderConfig c = new EncoderConfig(EncoderKind.CNN, 1, 12, 12, 2, 1, 8, 4, 1L);
    Encoder trained = Encoder.create(c, OptimizerConfig.mocoDefaults());
    INDArray x = trained.batch(images(3, c.inputSize()));
    Encoder.Forward f = trained.forwardForTraining(x);
    trained.backwardAndUpdate(f.projection().dup(), 0);

    Encoder copy = Encoder.create(c, OptimizerConfig.mocoDefaults());
    copy.loadParams(trained.params());
    copy.loadUpdaterState(trained.updaterState());
    assertArrayEquals(trained.params(), copy.params());
    assertArrayEquals(trained.updaterState(), copy.updaterState());
    assertEquals(trained.infer(x).projection(), copy.infer(x).projection());
  }

  @Test
  void descendingTheGradientOfTheSquaredNormShrinksTheOutput() {
    // L = 1/2 ||z||^2 summed over the batch: dL/dz = z; a small SGD step must reduce L
    EncoderConfig c = new EncoderConfig(EncoderKind.MLP, 1, 8, 8, 2, 1, 8, 4, 3L);
    Encoder e = Encoder.create(c, new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.01, 0, 0));
    INDArray x = e.batch(images(4, c.inputSize()));
    double before = e.infer(x).projection().norm2Number().doubleValue();
    float[] p0 = e.params();
    for (int step = 0; step < 5; step++) {
      e.backwardAndUpdate(e.forwardForTraining(x).projection().dup(), step);
    }
    assertFalse(Arrays.equals(p0, e.params()));
    assertTrue(e.infer(x).projection().norm2Number().doubleValue() < before);
  }

  @Test
  void wrongStateSizeNamesTheLikelyCause() {
    Encoder e = Encoder.create(new EncoderConfig(EncoderKind.CNN, 1, 12, 12, 2, 1, 8, 4, 1L), SGD);
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
        () -> e.loadParams(new float[3]));
    assertTrue(ex.getMessage().contains("another encoder config"), ex.getMessage());
  }

  @Test
  void flopsOfTheCnnMatchAHandCount() {
    EncoderConfig c = new EncoderConfig(EncoderKind.CNN, 1, 28, 28, 32, 1, 512, 128, 1L);
    long stem = 2L * 7 * 7 * 4 * 4 * 1 * 64;
    long block = 2L * 7 * 7 * 3 * 3 * 64 * 128;
    long head = 2L * 128 * 512 + 2L * 512 * 128;
    assertEquals(stem + block + head, EncoderFlops.forward(c));
  }

  @Test
  void rejectsTinyInputsWithTheReason() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EncoderConfig(EncoderKind.CNN, 1, 4, 28, 8, 1, 16, 8, 1L));
    assertEquals("encoder height must be >= 8, got 4 (inputs smaller than 8x8 leave nothing after"
        + " downsampling)", e.getMessage());
  }
}
