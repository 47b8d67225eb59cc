package dev.contraflow.encoder;

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

  private static GemmLayer layer(String kind) {
    return switch (kind) {
      case "bn-relu" -> new BatchNormRelu(C);
      case "bn" -> BatchNormRelu.withoutRelu(C);
      default -> new Relu();
    };
  }

  @Test
  void javaPassesGiveWhatTheNd4jOpsGive() {
    for (String kind : new String[] {"bn-relu", "bn", "relu"}) {
      Bound java = new Bound(layer(kind), DataType.FLOAT);
      Bound nd4j = new Bound(layer(kind), DataType.FLOAT);
      INDArray x = random(N, C, 1L, DataType.FLOAT);
      INDArray dy = random(N, C, 2L, DataType.FLOAT);
      assertTrue(HostValues.reachable(x) && !HostValues.reachable(x.dup('f')));

      INDArray yJava = java.layer.forward(x.dup('c'), true);
      INDArray yNd4j = nd4j.layer.forward(x.dup('f'), true);
      // to float rounding: the Java passes work in double
      assertTrue(yNd4j.equalsWithEps(yJava, 1e-5), kind + ": " + yNd4j + " vs " + yJava);
      INDArray dxJava = java.layer.backward(dy.dup('c'), true);
      INDArray dxNd4j = nd4j.layer.backward(dy.dup('f'), true);
      assertTrue(dxNd4j.equalsWithEps(dxJava, 1e-5), kind + ": " + dxNd4j + " vs " + dxJava);
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

  @Test
  void anInferenceBetweenTrainingForwardAndBackwardLeavesTheGradientAlone() {
    Bound b = new Bound(layer("bn-relu"), DataType.FLOAT);
    Bound alone = new Bound(layer("bn-relu"), DataType.FLOAT);
    INDArray x = random(N, C, 6L, DataType.FLOAT);
    INDArray dy = random(N, C, 7L, DataType.FLOAT);
    b.layer.forward(x.dup(), true);
    alone.layer.forward(x.dup(), true);
    b.layer.forward(random(2 * N, C, 8L, DataType.FLOAT), false);
    assertEquals(alone.layer.backward(dy.dup(), true), b.layer.backward(dy.dup(), true));
    assertEquals(alone.gradient, b.gradient);
  }
}
