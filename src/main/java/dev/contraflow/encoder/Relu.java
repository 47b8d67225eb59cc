package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** ReLU in place on the preceding GEMM's output; its backward masks the gradient in place. */
final class Relu implements GemmLayer {

  private INDArray y;

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
    INDArray out = apply(x);
    y = training ? out : null;
    return out;
  }

  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    INDArray dx = mask(dy, y);
    y = null;
    return dx;
  }
}
