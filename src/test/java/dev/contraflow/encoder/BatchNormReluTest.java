package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Batch norm + ReLU and ReLU alone, whose N x C passes run as Java loops where the values are
 * reachable ({@link HostValues}: a c-ordered array on the CPU backend) and as ND4J ops elsewhere
 * (here: the same values in an f-ordered array, which {@link HostValues#reachable} refuses).
 */
class BatchNormReluTest {

  private static final int N = 6;
  private static final int C = 5;

  /** A bound layer whose gamma and beta are random (not the 1 and 0 they start at). */
  private static final class Bound {
    final GemmLayer layer;
    final INDArray params;
    final INDArray gradient;

    Bound(GemmLayer layer, DataType type) {
      this.layer = layer;
      long t = layer.numParams();
      this.params = Nd4j.create(type, 1, t + layer.numStatistics());
      this.gradient = Nd4j.create(type, 1, Math.max(1, t));
      ParameterLayout layout = new ParameterLayout(params, gradient, t, 3L);
      layer.bind(layout);
      layout.requireFilled();
      if (t > 0) {
        params.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, t))
            .assign(random(1, (int) t, 17L, type).addi(0.5).reshape(t));
      }
    }
  }

  private static INDArray random(int rows, int cols, long seed, DataType type) {
    Random rng = new Random(seed);
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextGaussian();
    }
    return Nd4j.createFromArray(v).reshape(rows, cols).castTo(type);
  }

  /**
   * Large enough that each pass is shared over threads ({@link FixedRanges}): more values than
   * {@link FixedRanges#MIN_PARALLEL_VALUES}, rows in {@link FixedRanges#MAX_RANGES} ranges.
   */
  private static final int LARGE_N = 512;
  private static final int LARGE_C = 96;

  private static GemmLayer layer(String kind) {
    return layer(kind, C);
  }

  private static GemmLayer layer(String kind, int channels) {
    return switch (kind) {
      case "bn-relu" -> new BatchNormRelu(channels);
      case "bn" -> BatchNormRelu.withoutRelu(channels);
      default -> new Relu();
    };
  }

  @Test
  void javaPassesGiveWhatTheNd4jOpsGive() {
    assertTrue((long) LARGE_N * LARGE_C >= FixedRanges.MIN_PARALLEL_VALUES);
    for (int[] shape : new int[][] {{N, C}, {LARGE_N, LARGE_C}}) {
      for (String kind : new String[] {"bn-relu", "bn", "relu"}) {
        javaPassesGiveWhatTheNd4jOpsGive(kind, shape[0], shape[1]);
      }
    }
  }

  private static void javaPassesGiveWhatTheNd4jOpsGive(String kind, int rows, int channels) {
    {
      Bound java = new Bound(layer(kind, channels), DataType.FLOAT);
      Bound nd4j = new Bound(layer(kind, channels), DataType.FLOAT);
      INDArray x = random(rows, channels, 1L, DataType.FLOAT);
      INDArray dy = random(rows, channels, 2L, DataType.FLOAT);
      assertTrue(HostValues.reachable(x) && !HostValues.reachable(x.dup('f')));

      INDArray yJava = java.layer.forward(x.dup('c'), true);
      INDArray yNd4j = nd4j.layer.forward(x.dup('f'), true);
      // to float rounding: the Java passes work in double
      assertTrue(yNd4j.equalsWithEps(yJava, 1e-5), kind + ": " + yNd4j + " vs " + yJava);
      INDArray dxJava = java.layer.backward(dy.dup('c'), true);
      INDArray dxNd4j = nd4j.layer.backward(dy.dup('f'), true);
      assertTrue(dxNd4j.equalsWithEps(dxJava, 1e-5), kind + ": " + dxNd4j + " vs " + dxJava);
      if (kind.equals("relu")) { // max(x, 0) and its mask are exact: the same bits
        assertArrayEquals(floats(yNd4j), floats(yJava), "relu output");
        assertArrayEquals(floats(dxNd4j), floats(dxJava), "relu input gradient");
      }
      assertTrue(nd4j.gradient.equalsWithEps(java.gradient, 1e-5), kind + ": parameter gradient");
      // running statistics moved alike; inference with them alike
      assertTrue(nd4j.params.equalsWithEps(java.params, 1e-6), kind + ": running statistics");
      assertTrue(nd4j.layer.forward(x.dup('f'), false)
          .equalsWithEps(java.layer.forward(x.dup('c'), false), 1e-5), kind + ": inference");
    }
  }

  /**
   * With L = sum(y * R): the hand-written gradients with respect to the input and to gamma and
   * beta match central differences, in double precision, through the Java passes.
   */
  @Test
  void gradientsOfTheJavaPassesMatchFiniteDifferences() {
    for (String kind : new String[] {"bn-relu", "bn", "relu"}) {
      Bound b = new Bound(layer(kind), DataType.DOUBLE);
      INDArray x = random(N, C, 4L, DataType.DOUBLE);
      INDArray r = random(N, C, 5L, DataType.DOUBLE);
      b.layer.forward(x.dup(), true); // overwrites its input, as it does the GEMM's output
      double[] dx = b.layer.backward(r.dup(), true).data().asDouble();
      double[] dParams = b.gradient.dup().data().asDouble();
      double h = 1e-6;
      for (int i = 0; i < N * C; i++) {
        INDArray plus = x.dup();
        plus.data().put(i, x.data().getDouble(i) + h);
        INDArray minus = x.dup();
        minus.data().put(i, x.data().getDouble(i) - h);
        double numeric = (loss(b, plus, r) - loss(b, minus, r)) / (2 * h);
        assertEquals(numeric, dx[i], 1e-6 + 1e-4 * Math.abs(numeric), kind + ": dx " + i);
      }
      for (int i = 0; i < b.layer.numParams(); i++) {
        double original = b.params.getDouble(0, i);
        b.params.putScalar(0, i, original + h);
        double lossPlus = loss(b, x, r);
        b.params.putScalar(0, i, original - h);
        double lossMinus = loss(b, x, r);
        b.params.putScalar(0, i, original);
        double numeric = (lossPlus - lossMinus) / (2 * h);
        assertEquals(numeric, dParams[i], 1e-6 + 1e-4 * Math.abs(numeric),
            kind + ": parameter " + i);
      }
    }
  }

  private static double loss(Bound b, INDArray x, INDArray r) {
    return b.layer.forward(x.dup(), true).mul(r).sumNumber().doubleValue();
  }

  /**
   * The passes shared over threads sum per range and add the ranges in order, so whichever thread
   * runs which range, every run gives the same bits: outputs, input gradients, parameter
   * gradients and running statistics.
   */
  @Test
  void passesSharedOverThreadsGiveTheSameBitsEveryRun() {
    for (String kind : new String[] {"bn-relu", "bn", "relu"}) {
      INDArray x = random(LARGE_N, LARGE_C, 9L, DataType.FLOAT);
      INDArray dy = random(LARGE_N, LARGE_C, 10L, DataType.FLOAT);
      Bound first = null;
      INDArray[] firstOut = null;
      for (int run = 0; run < 12; run++) {
        Bound b = new Bound(layer(kind, LARGE_C), DataType.FLOAT);
        INDArray y = b.layer.forward(x.dup(), true).dup();
        INDArray dx = b.layer.backward(dy.dup(), true).dup();
        INDArray inferred = b.layer.forward(x.dup(), false).dup();
        INDArray[] out = {y, dx, inferred};
        if (first == null) {
          first = b;
          firstOut = out;
          continue;
        }
        for (int i = 0; i < out.length; i++) {
          assertArrayEquals(floats(firstOut[i]), floats(out[i]),
              kind + ": output " + i + ", run " + run);
        }
        assertArrayEquals(floats(first.gradient), floats(b.gradient),
            kind + ": parameter gradient, run " + run);
        assertArrayEquals(floats(first.params), floats(b.params),
            kind + ": running statistics, run " + run);
      }
    }
  }

  /** Every value, to compare bit for bit (INDArray's equals allows a tolerance). */
  private static float[] floats(INDArray a) {
    return a.dup('c').reshape(a.length()).toFloatVector();
  }

  @Test
  void theBranchFreeMaskIsOneExactlyWhereTheValueIsPositive() {
    for (double y : new double[] {Double.MIN_VALUE, 0x1p-1000, Float.MIN_VALUE, 1e-30, 0.5, 1,
        3e38, Double.MAX_VALUE, Double.POSITIVE_INFINITY}) {
      assertEquals(1.0, Relu.step(y), "step(" + y + ")");
    }
    for (double y : new double[] {0.0, -0.0, -Double.MIN_VALUE, -1, Double.NEGATIVE_INFINITY}) {
      assertEquals(0.0, Relu.step(y), "step(" + y + ")");
    }
    assertTrue(Double.isNaN(Relu.step(Double.NaN)), "a NaN stays visible to the step's guard");
  }

  @Test
  void anInferenceBetweenTrainingForwardAndBackwardLeavesTheGradientAlone() {
    for (String kind : new String[] {"bn-relu", "relu"}) {
      for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
        Bound b = new Bound(layer(kind), type);
        Bound alone = new Bound(layer(kind), type);
        INDArray x = random(N, C, 6L, type);
        INDArray dy = random(N, C, 7L, type);
        b.layer.forward(x.dup(), true);
        alone.layer.forward(x.dup(), true);
        b.layer.forward(random(2 * N, C, 8L, type), false);
        assertEquals(alone.layer.backward(dy.dup(), true), b.layer.backward(dy.dup(), true),
            kind + " " + type);
        assertEquals(alone.gradient, b.gradient, kind + " " + type);
      }
    }
  }
}
