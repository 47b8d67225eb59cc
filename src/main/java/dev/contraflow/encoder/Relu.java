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
          g[i] = y[i] > 0 ? g[i] : 0;
        }
      });
      hostForward = false;
      return dx;
    }
    INDArray dx = mask(dy, y);
    y = null;
    return dx;
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
