package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer of the {@link GemmEncoder}: a forward pass and its hand-written backward pass on ND4J
 * ops. Activations are matrices whose rows are examples - or, for convolutional maps, positions of
 * examples ((B*H*W) x C, channels last), so that a convolution is one GEMM and batch norm a column
 * reduction.
 *
 * <p>A training forward keeps what its backward needs; an inference forward keeps nothing. A
 * layer may overwrite its input only where no one else holds it (batch norm takes the GEMM output
 * before it), and its upstream gradient only where a layer made it.
 */
interface GemmLayer {

  /** Trainable values, in the flat parameter vector. */
  default long numParams() {
    return 0;
  }

  /** Values that are not trained but travel with the parameters (batch-norm running statistics). */
  default long numStatistics() {
    return 0;
  }

  /** Takes this layer's views of the flat vectors and initialises them. */
  default void bind(ParameterLayout layout) {}

  INDArray forward(INDArray x, boolean training);

  /**
   * Writes the parameter gradients of the last training forward into the gradient views and
   * returns the gradient with respect to its input (null when {@code inputGradient} is false: the
   * layer sees the images).
   */
  INDArray backward(INDArray dy, boolean inputGradient);
}
