package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ReLU in place on the preceding GEMM's output; its backward masks the gradient in place. Where
 * the values are reachable from Java ({@link HostValues}) each pass is one Java loop, else one
 * ND4J op.
 */
final class Relu implements GemmLayer {

  private INDArray y; // ND4J passes: the output, for the mask
  private double[] kept; // Java passes: the output's values, for the mask
  private double[] scratch; // Java passes: inference outputs, upstream gradients
  private boolean hostForward;

  /** y := max(y, 0) in place. */
  static INDArray apply(INDArray y) {
    return Transforms.relu(y, false);
  }

  /** dy := dy where y &gt; 0, else 0, in place ({@code y} the ReLU's output). */
  static INDArray mask(INDArray dy, INDArray y) {
    Nd4j.exec(new RectifiedLinearDerivative(y, dy, dy));
    return dy;
  }

  @Override
  public INDArray forward(INDArray x, boolean training) {
    if (HostValues.reachable(x)) {
      double[] v = training ? (kept = HostValues.atLeast(kept, x.length()))
          : (scratch = HostValues.atLeast(scratch, x.length()));
      inPlace(x, v, (from, to) -> {
        for (int i = from; i < to; i++) {
          v[i] = Math.max(v[i], 0.0);
        }
      });
      if (training) {
        hostForward = true; // an inference forward leaves a training forward's mask alone
      }
      return x;
    }
    INDArray out = apply(x);
    if (training) {
      y = out;
      hostForward = false;
    }
    return out;
  }

  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    if (hostForward) {
      INDArray dx = HostValues.reachable(dy) ? dy : dy.dup('c');
      double[] g = scratch = HostValues.atLeast(scratch, dx.length());
      double[] y = kept;
      inPlace(dx, g, (from, to) -> {
        for (int i = from; i < to; i++) {
          g[i] = masked(g[i], y[i]);
        }
      });
      hostForward = false;
      return dx;
    }
    INDArray dx = mask(dy, y);
    y = null;
    return dx;
  }

  /**
   * 1 where y &gt; 0, else 0 (NaN for NaN), as arithmetic the JIT vectorises: the backward
   * passes' masks written as conditionals ({@code y > 0 ? g : 0}) compiled to branches, which the
   * activations' random signs mispredict half the time: 730 us per 256 x 512 pass on this machine
   * against 170 for {@link #masked} (issue 20). Any positive double, down to the least subnormal
   * 2^-1074, times 2^1000 and then 2^74 reaches 1 or overflows to infinity.
   */
  static double step(double y) {
    return Math.min(Math.max(y, 0.0) * 0x1p1000 * 0x1p74, 1.0);
  }

  /**
   * g where y &gt; 0, else 0.0: the ReLU's mask on a gradient, the bits of {@code y > 0 ? g : 0}
   * without its branch. g times the {@link #step} keeps g's bits where the step is 1 and is a zero
   * of g's sign where it is 0; adding 0.0 makes every such zero 0.0 (x + 0.0 is x for any other x).
   */
  static double masked(double g, double y) {
    return g * step(y) + 0.0;
  }

  /** The loop of one range of values, [from, to), over the Java copy of the array. */
  private interface RangeLoop {
    void run(int from, int to);
  }

  /**
   * a := loop(a) in place through v (at least a's length): over ranges of a's values shared by the
   * cores ({@link FixedRanges}), each range read into v, its loop run, and written back.
   */
  private static void inPlace(INDArray a, double[] v, RangeLoop loop) {
    int n = (int) a.length();
    FixedRanges ranges = FixedRanges.of(n);
    ranges.forEach(n, r -> {
      int from = ranges.from(r);
      int to = ranges.to(r);
      HostValues.read(a, from, v, from, to - from);
      loop.run(from, to);
      HostValues.write(v, from, to - from, a, from);
    });
  }
}
