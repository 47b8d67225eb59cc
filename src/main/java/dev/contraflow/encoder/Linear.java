package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A fully connected layer y = x W (+ b): one GEMM forward, two backward. */
final class Linear implements GemmLayer {

  private final long in;
  private final long out;
  private final boolean bias;
  private ParameterLayout.Slot w; // in x out
  private ParameterLayout.Slot b; // 1 x out
  private INDArray x; // kept for dW
  private final ColumnSums columnSums = new ColumnSums();

  /** Without a bias where batch norm follows, whose shift makes it redundant. */
  Linear(long in, long out, boolean bias) {
    this.in = in;
    this.out = out;
    this.bias = bias;
  }

  /** The weight matrix, in x out (SwAV's prototypes are the columns of one). */
  INDArray weight() {
    return w.value();
  }

  @Override
  public long numParams() {
    return in * out + (bias ? out : 0);
  }

  @Override
  public void bind(ParameterLayout layout) {
    w = layout.weight(in, out);
    b = bias ? layout.vector(out, 0) : null;
  }

  @Override
  public INDArray forward(INDArray x, boolean training) {
    this.x = training ? x : null;
    INDArray y = Gemm.gemm(x, w.value(), false, false); // B x out
    return bias ? y.addiRowVector(b.value()) : y;
  }

  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    Gemm.gemm(x, dy, w.gradient(), true, false, 1.0, 0.0); // in x out
    if (bias) {
      ChannelVectors.write(b.gradient(), columnSums.values(dy));
    }
    x = null;
    return inputGradient ? Gemm.gemm(dy, w.value(), false, true) : null; // B x in
  }
}
