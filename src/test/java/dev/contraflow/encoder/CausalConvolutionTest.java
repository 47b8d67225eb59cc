package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** g_ar on hand-made values, and every gradient against central differences. */
class CausalConvolutionTest {

  private static INDArray random(long seed, int rows, int cols) {
    Random rng = new Random(seed);
    double[][] v = new double[rows][cols];
    for (double[] row : v) {
      for (int j = 0; j < cols; j++) {
        row[j] = rng.nextGaussian() * 0.5;
      }
    }
    return Nd4j.createFromArray(v);
  }

  @Test
  void eachContextReadsItsOwnStepAndTheOnesBeforeItInItsRunOnly() {
    // dz = dc = 1, R = 2, W_0 = 1, W_1 = 10, b = 0: c_t = tanh(z_t + 10 z_{t-1}) within a run
    CausalConvolution g = new CausalConvolution(2);
    INDArray z = Nd4j.createFromArray(new double[][] {{0.01}, {0.02}, {0.03}, {0.04}});
    INDArray weight = Nd4j.createFromArray(new double[][] {{1}, {10}});
    INDArray bias = Nd4j.createFromArray(new double[][] {{0}});
    INDArray c = g.forward(z, new int[] {3, 1}, weight, bias).context();
    assertEquals(Math.tanh(0.01), c.getDouble(0, 0), 1e-12); // a run's first step: no past
    assertEquals(Math.tanh(0.02 + 0.1), c.getDouble(1, 0), 1e-12);
    assertEquals(Math.tanh(0.03 + 0.2), c.getDouble(2, 0), 1e-12);
    assertEquals(Math.tanh(0.04), c.getDouble(3, 0), 1e-12); // a new run: 0.03 is not its past
  }

  @Test
  void refusesRunsThatDoNotCoverTheEncodings() {
    CausalConvolution g = new CausalConvolution(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.forward(random(1, 4, 2), new int[] {2, 1}, random(2, 4, 3), random(3, 1, 3)));
    assertEquals("run lengths sum to 3 but there are 4 encodings", e.getMessage());
  }

  /** L = sum(c * r) over two runs (lengths 4 and 2, R = 3): every input against differences. */
  @Test
  void gradientsMatchFiniteDifferences() {
    CausalConvolution g = new CausalConvolution(3);
    int[] runs = {4, 2};
    INDArray z = random(1, 6, 2);
    INDArray weight = random(2, 6, 3);
    INDArray bias = random(3, 1, 3);
    INDArray r = random(4, 6, 3);
    CausalConvolution.Forward f = g.forward(z, runs, weight, bias);
    CausalConvolution.Gradients grads = g.backward(r, f, runs, weight);
    Supplier<Double> loss = () -> g.forward(z, runs, weight, bias).context().mul(r)
        .sumNumber().doubleValue();
    assertMatches(loss, z, grads.dInput(), "z");
    assertMatches(loss, weight, grads.dWeight(), "weight");
    assertMatches(loss, bias, grads.dBias(), "bias");
  }

  private static void assertMatches(Supplier<Double> loss, INDArray x, INDArray analytic,
      String name) {
    double h = 1e-6;
    for (int i = 0; i < x.length(); i++) {
      double original = x.getDouble(i);
      x.putScalar(i, original + h);
      double plus = loss.get();
      x.putScalar(i, original - h);
      double minus = loss.get();
      x.putScalar(i, original);
      double numeric = (plus - minus) / (2 * h);
      assertEquals(numeric, analytic.getDouble(i), 1e-7 + 1e-5 * Math.abs(numeric),
          name + " " + i);
    }
  }
}
