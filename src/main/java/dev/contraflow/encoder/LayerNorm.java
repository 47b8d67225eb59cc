package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Layer norm (Ba, Kiros and Hinton 2016) over each row's D values - one token of one example -
 * with a learned per-column scale and shift: y = (x - mean) / std * gamma + beta. Unlike batch
 * norm it keeps no running statistics, so training and inference compute the same function and
 * an example's tokens never depend on its batch.
 */
final class LayerNorm implements GemmLayer {

  private static final double EPS = 1e-6; // the ViT's (Dosovitskiy et al. 2021) epsilon

  private final long dim;
  private final ColumnSums columnSums = new ColumnSums();
  private ParameterLayout.Slot gamma; // 1 x D
  private ParameterLayout.Slot beta; // 1 x D
  private INDArray normalised; // N x D, (x - mean) / std, kept for backward
  private INDArray invStd; // N x 1

  LayerNorm(long dim) {
    this.dim = dim;
  }

  @Override
  public long numParams() {
    return 2 * dim;
  }

  @Override
  public void bind(ParameterLayout layout) {
    gamma = layout.vector(dim, 1);
    beta = layout.vector(dim, 0);
  }

  @Override
  public INDArray forward(INDArray x, boolean training) {
    long n = x.size(0);
    // not in place: x is also the residual stream's
    INDArray centred = x.subColumnVector(x.mean(1).reshape(n, 1)); // N x D
    INDArray variance = centred.mul(centred).mean(1).reshape(n, 1); // N x 1, biased
    INDArray inv = Transforms.sqrt(variance.addi(EPS), false).rdivi(1.0); // N x 1
    INDArray xhat = centred.muliColumnVector(inv);
    if (training) {
      normalised = xhat;
      invStd = inv;
    }
    return xhat.mulRowVector(gamma.value()).addiRowVector(beta.value()); // N x D
  }

  /**
   * With g = dy * gamma and xhat the normalised input: dgamma = sum over rows of dy * xhat, dbeta
   * = sum of dy, and per row dx = (g - mean(g) - xhat * mean(g * xhat)) / std.
   */
  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    ChannelVectors.write(gamma.gradient(), columnSums.values(dy.mul(normalised)));
    ChannelVectors.write(beta.gradient(), columnSums.values(dy));
    INDArray dx = null;
    if (inputGradient) {
      long n = dy.size(0);
      INDArray g = dy.mulRowVector(gamma.value()); // N x D
      INDArray projection = g.mul(normalised).mean(1).reshape(n, 1); // N x 1
      dx = g.subiColumnVector(g.mean(1).reshape(n, 1))
          .subi(normalised.muliColumnVector(projection)) // normalised is not needed after this
          .muliColumnVector(invStd);
    }
    normalised = null;
    invStd = null;
    return dx;
  }
}
