package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Each example's values in one row: B x C x H x W images, or channels-last maps (B*P) x C with
 * {@code positions} P rows per example, become B x (all values). A reshape: it keeps where each
 * value was, unlike pooling.
 */
final class Flatten implements GemmLayer {

  private final long positions;
  private long[] shape;

  /** {@code positions}: rows per example in the input (1 for images, H*W for maps). */
  Flatten(long positions) {
    this.positions = positions;
  }

  @Override
  public INDArray forward(INDArray x, boolean training) {
    shape = x.shape();
    long examples = x.size(0) / positions;
    return x.dup('c').reshape(examples, x.length() / examples);
  }

  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    return inputGradient ? dy.reshape(shape) : null;
  }
}
