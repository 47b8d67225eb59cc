package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GemmEncoderTest {

  private static final OptimizerConfig SGD = new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.1,
      0, 0);

  static INDArray images(int n, int channels, int height, int width, long seed,
      DataType type) {
    Random rng = new Random(seed);
    double[] x = new double[n * channels * height * width];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextDouble();
    }
    return Nd4j.createFromArray(x).reshape(n, channels, height, width).castTo(type);
  }

  private static EncoderConfig config(EncoderKind kind, int channels, int size, int hidden) {
    return new EncoderConfig(kind, channels, size, size, 2, 1, hidden, 4, 7L);
  }

  /** The chain's last output: the projection, the prediction or the prototype scores. */
  private static INDArray output(Encoder.Forward f) {
    return f.prototypeScores() != null ? f.prototypeScores()
        : f.prediction() != null ? f.prediction() : f.projection();
  }

  /**
   * With L = sum(output * R) for a fixed random R, the hand-written gradient of every trainable
   * parameter matches the central difference (L(p + h) - L(p - h)) / 2h, in double precision.
   */
  static void assertGradientMatchesFiniteDifferences(EncoderConfig c, int predictorHidden,
      int prototypes) {
    GemmEncoder e = GemmEncoder.build(c, SGD, predictorHidden, prototypes, DataType.DOUBLE);
    INDArray x = images(4, c.channels(), c.height(), c.width(), 11L, DataType.DOUBLE);
    INDArray out = output(e.forwardForTraining(x));
    INDArray r = images(1, 1, (int) out.size(0), (int) out.size(1), 13L, DataType.DOUBLE)
        .reshape(out.shape());
    e.backward(r);
    double[] analytic = e.gradient().dup().data().asDouble();
    INDArray p = e.trainableView();
    double h = 1e-6;
    int checked = 0;
    for (int i = 0; i < analytic.length; i++) {
      double original = p.getDouble(0, i);
      p.putScalar(0, i, original + h);
      double plus = output(e.forwardForTraining(x)).mul(r).sumNumber().doubleValue();
      p.putScalar(0, i, original - h);
      double minus = output(e.forwardForTraining(x)).mul(r).sumNumber().doubleValue();
      p.putScalar(0, i, original);
      double numeric = (plus - minus) / (2 * h);
      double error = Math.abs(numeric - analytic[i]);
      assertTrue(error <= 1e-6 + 1e-4 * Math.abs(numeric),
          c.kind() + " predictor " + predictorHidden + " prototypes " + prototypes
              + ": parameter " + i + " of " + analytic.length + " has gradient " + analytic[i]
              + ", finite differences give " + numeric);
      checked++;
    }
    assertEquals(p.length(), checked);
  }

  @Test
  void convolutionalBackboneGradientsMatchFiniteDifferences() {
    // 8x8 becomes a 2x2 map, where the 3x3 'same' convolution reads mostly padding; 12x12 RGB
    // gives 3x3 maps from three input channels
    assertGradientMatchesFiniteDifferences(config(EncoderKind.GEMM_CNN, 1, 8, 8), 0, 0);
    assertGradientMatchesFiniteDifferences(config(EncoderKind.GEMM_CNN, 3, 12, 8), 0, 0);
  }

  @Test
  void mlpBackboneGradientsMatchFiniteDifferences() {
    assertGradientMatchesFiniteDifferences(config(EncoderKind.GEMM_MLP, 1, 8, 8), 0, 0);
    assertGradientMatchesFiniteDifferences(config(EncoderKind.PATCH_MLP, 1, 8, 8), 0, 0);
  }

  @Test
  void headGradientsMatchFiniteDifferences() {
    EncoderConfig c = config(EncoderKind.GEMM_CNN, 1, 8, 8);
    assertGradientMatchesFiniteDifferences(config(EncoderKind.GEMM_CNN, 1, 8, 0), 0, 0);
    assertGradientMatchesFiniteDifferences(c, 6, 0); // BN projector + predictor
    assertGradientMatchesFiniteDifferences(c, 0, 5); // SwAV's prototypes on the unit projection
  }

  @Test
  void sameSeedAndInputsGiveTheSameParametersAfterSteps() {
    EncoderConfig c = config(EncoderKind.GEMM_CNN, 1, 12, 8);
    Encoder a = Encoder.create(c, OptimizerConfig.mocoDefaults());
    Encoder b = Encoder.create(c, OptimizerConfig.mocoDefaults());
    assertArrayEquals(a.params(), b.params());
    for (int step = 0; step < 3; step++) {
      INDArray x = images(5, 1, 12, 12, step, DataType.FLOAT);
      a.backwardAndUpdate(a.forwardForTraining(x).projection().dup(), step);
      b.backwardAndUpdate(b.forwardForTraining(x).projection().dup(), step);
    }
    assertArrayEquals(a.params(), b.params());
    assertArrayEquals(a.updaterState(), b.updaterState());
    assertFalse(Arrays.equals(a.params(), Encoder.create(c, OptimizerConfig.mocoDefaults())
        .params()));
  }

  @Test
  void anotherSeedGivesOtherParameters() {
    EncoderConfig c = config(EncoderKind.GEMM_CNN, 1, 12, 8);
    EncoderConfig other = new EncoderConfig(c.kind(), 1, 12, 12, 2, 1, 8, 4, 8L);
    assertFalse(Arrays.equals(Encoder.create(c, SGD).params(), Encoder.create(other, SGD)
        .params()));
  }

  @Test
  void parameterCountsAreTheArchitecturesHandCount() {
    int w = 32;
    int bn = 4; // gamma, beta, running mean and variance per channel
    long head = (4L * w * 512 + 512) + (512L * 128 + 128);
    long cnn = 16L * 2 * w + bn * 2 * w + 9L * 2 * w * 4 * w + bn * 4 * w;
    assertEquals(cnn + head, Encoder.create(new EncoderConfig(EncoderKind.GEMM_CNN, 1, 28, 28, w,
        1, 512, 128, 1L), SGD).numParams());
    long mlpHead = (8L * w * 512 + 512) + (512L * 128 + 128);
    long mlp = 784L * 16 * w + bn * 16 * w + 16L * w * 8 * w + bn * 8 * w;
    assertEquals(mlp + mlpHead, Encoder.create(new EncoderConfig(EncoderKind.GEMM_MLP, 1, 28, 28,
        w, 1, 512, 128, 1L), SGD).numParams());
    long patchMlp = 16L * 2 * w + bn * 2 * w + 49L * 2 * w * 16 * w + bn * 16 * w
        + 16L * w * 8 * w + bn * 8 * w;
    assertEquals(patchMlp + mlpHead, Encoder.create(new EncoderConfig(EncoderKind.PATCH_MLP, 1,
        28, 28, w, 1, 512, 128, 1L), SGD).numParams());
  }

  @Test
  void headsHaveTheDl4jEncodersShapes() {
    EncoderConfig c = config(EncoderKind.GEMM_CNN, 1, 12, 16);
    Encoder plain = Encoder.create(c, SGD);
    int batchNorm = 4 * 16;
    int predictor = (4 * 16) + batchNorm + (16 * 4 + 4);
    // the projector's hidden fc loses its bias to BN's shift and gains BN
    assertEquals(predictor + batchNorm - 16,
        Encoder.create(c, SGD, 16).numParams() - plain.numParams());
    Encoder swav = Encoder.create(c, SGD, 0, 10);
    assertArrayEquals(new long[] {4, 10}, swav.prototypes().shape());
    Encoder.Forward f = swav.infer(images(3, 1, 12, 12, 1L, DataType.FLOAT));
    assertArrayEquals(new long[] {3, 10}, f.prototypeScores().shape());
    assertArrayEquals(new long[] {3, 8}, f.representation().shape());
  }

  @Test
  void weightDecayShrinksWeightsButNotBiasesOrBatchNorm() {
    for (double momentum : new double[] {0, 0.9}) { // plain SGD, and Nesterov's fused step
      EncoderConfig c = config(EncoderKind.GEMM_MLP, 1, 8, 8);
      Encoder e = Encoder.create(c, new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.1,
          momentum, 0.5));
      INDArray x = images(4, 1, 8, 8, 1L, DataType.FLOAT);
      float[] before = e.params();
      Encoder.Forward f = e.forwardForTraining(x);
      e.backwardAndUpdate(f.projection().mul(0), 0); // zero loss gradient: only the decay acts
      float[] after = e.params();
      long firstWeights = 64L * 32; // the first fc's weights lead the flat vector
      for (int i = 0; i < firstWeights; i++) {
        assertEquals(before[i] * (1 - 0.1 * 0.5), after[i], 1e-6, "weight " + i);
      }
      for (int i = (int) firstWeights; i < firstWeights + 2 * 32; i++) {
        assertEquals(before[i], after[i], "BN gamma and beta are not decayed: " + i);
      }
      long secondWeights = firstWeights + 4 * 32; // then BN's gamma, beta; the second fc's
      assertEquals(before[(int) secondWeights] * (1 - 0.1 * 0.5), after[(int) secondWeights],
          1e-6, "the second fc's weights are decayed too");
    }
  }

  /**
   * The fused Java update of the default optimiser (Nesterov momentum, no decay here) gives what
   * ND4J's own Nesterov updater gives on the same gradient / B and state, over two steps.
   */
  @Test
  void nesterovStepMatchesNd4jsUpdater() {
    EncoderConfig c = config(EncoderKind.GEMM_MLP, 1, 8, 8);
    OptimizerConfig nesterov = new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.05, 0.9, 0);
    GemmEncoder e = GemmEncoder.build(c, nesterov, 0, 0);
    GemmEncoder twin = GemmEncoder.build(c, nesterov, 0, 0); // gives the raw gradients
    INDArray v = Nd4j.create(DataType.FLOAT, 1, e.trainableView().length());
    org.nd4j.linalg.learning.GradientUpdater oracle =
        new org.nd4j.linalg.learning.config.Nesterovs(0.05, 0.9).instantiate(v, true);
    INDArray expected = e.trainableView().dup();
    for (int step = 0; step < 2; step++) {
      INDArray x = images(4, 1, 8, 8, 20L + step, DataType.FLOAT);
      twin.loadParams(e.params());
      twin.backward(twin.forwardForTraining(x.dup()).projection().dup());
      INDArray update = twin.gradient().dup().divi(4);
      oracle.applyUpdater(update, step, 0);
      expected.subi(update);

      e.backwardAndUpdate(e.forwardForTraining(x.dup()).projection().dup(), step);
      assertTrue(expected.equalsWithEps(e.trainableView(), 1e-6), "step " + step);
      assertTrue(v.equalsWithEps(Nd4j.createFromArray(e.updaterState()).reshape(v.shape()),
          1e-6), "momentum state, step " + step);
    }
  }

  /**
   * Over a parameter vector long enough that the fused step is shared over threads ({@link
   * FixedRanges}), every parameter and momentum value is the one a single float loop gives.
   */
  @Test
  void nesterovStepSharedOverThreadsIsTheSingleLoopsUpdateBitForBit() {
    OptimizerConfig nesterov = new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.05, 0.9, 0);
    GemmEncoder e = GemmEncoder.build(config(EncoderKind.GEMM_MLP, 1, 28, 128), nesterov, 0, 0);
    assertTrue(3 * e.trainableView().length() >= FixedRanges.MIN_PARALLEL_VALUES);
    float mu = 0.9f;
    float step = 0.05f / 4; // lr x the gradient of the mean loss over B = 4
    for (int iteration = 0; iteration < 2; iteration++) {
      float[] w = e.trainableView().toFloatVector();
      float[] v = e.updaterState();
      INDArray x = images(4, 1, 28, 28, 30L + iteration, DataType.FLOAT);
      e.backwardAndUpdate(e.forwardForTraining(x).projection().dup(), iteration);
      float[] g = e.gradient().toFloatVector();
      for (int i = 0; i < w.length; i++) {
        float vPrev = v[i];
        v[i] = mu * vPrev - step * g[i];
        w[i] -= mu * vPrev - (1 + mu) * v[i] + 0f * w[i];
      }
      assertArrayEquals(w, e.trainableView().toFloatVector(), "parameters, step " + iteration);
      assertArrayEquals(v, e.updaterState(), "momentum, step " + iteration);
    }
  }

  @Test
  void parametersAndOptimiserStateRoundTripExactly() {
    EncoderConfig c = config(EncoderKind.PATCH_MLP, 1, 12, 8);
    Encoder trained = Encoder.create(c, OptimizerConfig.mocoDefaults());
    INDArray x = images(3, 1, 12, 12, 2L, DataType.FLOAT);
    trained.backwardAndUpdate(trained.forwardForTraining(x).projection().dup(), 0);
    Encoder copy = Encoder.create(c, OptimizerConfig.mocoDefaults());
    copy.loadParams(trained.params());
    copy.loadUpdaterState(trained.updaterState());
    assertArrayEquals(trained.params(), copy.params());
    assertEquals(trained.infer(x).projection(), copy.infer(x).projection());
    assertTrue(trained.updaterState().length > 0, "Nesterov momentum keeps state");
  }

  @Test
  void inferenceUsesRunningStatisticsSoAnExampleDoesNotDependOnItsBatch() {
    EncoderConfig c = config(EncoderKind.GEMM_CNN, 1, 12, 8);
    Encoder e = Encoder.create(c, SGD);
    INDArray x = images(4, 1, 12, 12, 3L, DataType.FLOAT);
    e.forwardForTraining(x); // moves the running statistics
    INDArray alone = e.infer(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)))
        .representation();
    INDArray inBatch = e.infer(x).representation().getRow(0, true);
    assertTrue(alone.equalsWithEps(inBatch, 1e-5), alone + " vs " + inBatch);
  }

  /**
   * Issue 20: the MLP backbones' representation is their last batch norm's output before its ReLU
   * (the ReLU opens the head), so embeddings are signed and centred, not crowded into the
   * non-negative orthant where every cosine is positive.
   */
  @Test
  void mlpRepresentationIsTheLastBatchNormOutputBeforeItsRelu() {
    for (EncoderKind kind : new EncoderKind[] {EncoderKind.GEMM_MLP, EncoderKind.PATCH_MLP}) {
      Encoder e = Encoder.create(config(kind, 1, 12, 8), SGD);
      INDArray x = images(16, 1, 12, 12, 5L, DataType.FLOAT);
      // training mode: each column is normalised by the batch's statistics, with gamma 1, beta 0
      INDArray rep = e.forwardForTraining(x).representation(); // 16 x 8w
      assertEquals(8 * 2, rep.size(1), kind + ": the representation is the last backbone layer");
      assertTrue(rep.minNumber().doubleValue() < -0.5,
          kind + ": the head's ReLU must not clip the representation, min " + rep.minNumber());
      double[] means = rep.mean(0).toDoubleVector();
      double[] stds = rep.std(false, 0).toDoubleVector();
      for (int j = 0; j < means.length; j++) {
        assertEquals(0, means[j], 1e-4, kind + ": column " + j + " is centred");
        assertEquals(1, stds[j], 1e-2, kind + ": column " + j + " has unit variance");
      }
    }
  }

  @Test
  void convolutionalRepresentationIsPooledAfterTheRelu() {
    Encoder e = Encoder.create(config(EncoderKind.GEMM_CNN, 1, 12, 8), SGD);
    INDArray rep = e.forwardForTraining(images(4, 1, 12, 12, 5L, DataType.FLOAT))
        .representation();
    assertTrue(rep.minNumber().doubleValue() >= 0, "average pooling of ReLU outputs");
  }

  @Test
  void hasNoDl4jFormatAndSaysSo() {
    Encoder e = Encoder.create(config(EncoderKind.GEMM_CNN, 1, 12, 8), SGD);
    assertFalse(e.writesDl4j());
    assertThrows(UnsupportedOperationException.class,
        () -> e.writeDl4j(new java.io.ByteArrayOutputStream()));
  }
}
