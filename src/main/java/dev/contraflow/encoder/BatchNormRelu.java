package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Batch norm (Ioffe and Szegedy 2015) over the rows of its input, per column (channel), then ReLU,
 * overwriting the preceding GEMM's output: training normalises with the batch's statistics and
 * moves the running ones by DL4J's decay 0.9; inference uses the running ones.
 */
final class BatchNormRelu implements GemmLayer {

  private static final double EPS = 1e-5;
  /** Weight of the old running statistics (DL4J's BatchNormalization decay). */
  private static final double DECAY = 0.9;

  private final long channels;
  private ParameterLayout.Slot gamma; // 1 x C
  private ParameterLayout.Slot beta; // 1 x C
  private INDArray runningMean; // 1 x C
  private INDArray runningVar; // 1 x C
  private INDArray xhat; // N x C, kept for backward
  private INDArray invStd; // 1 x C
  private INDArray y; // N x C, kept for the ReLU mask
  private INDArray ones; // 1 x N: column sums as a GEMM, far faster than ND4J's strided reductions

  BatchNormRelu(long channels) {
    this.channels = channels;
  }

  @Override
  public long numParams() {
    return 2 * channels;
  }

  @Override
  public long numStatistics() {
    return 2 * channels;
  }

  @Override
  public void bind(ParameterLayout layout) {
    gamma = layout.vector(channels, 1);
    beta = layout.vector(channels, 0);
    runningMean = layout.statistic(channels, 0);
    runningVar = layout.statistic(channels, 1);
  }

  @Override
  public INDArray forward(INDArray x, boolean training) {
    if (!training) {
      INDArray scale = Transforms.sqrt(runningVar.add(EPS), false).rdivi(1).muli(gamma.value());
      INDArray shift = beta.value().sub(runningMean.mul(scale));
      return Relu.apply(x.muliRowVector(scale).addiRowVector(shift));
    }
    long n = x.size(0);
    INDArray mean = columnSums(x).divi(n); // 1 x C
    INDArray centred = x.subiRowVector(mean); // in place: x is the GEMM's own output
    INDArray var = columnSums(centred.mul(centred)).divi(n); // biased: the batch's own statistics
    runningMean.muli(DECAY).addi(mean.muli(1 - DECAY));
    runningVar.muli(DECAY).addi(var.mul(1 - DECAY));
    invStd = Transforms.sqrt(var.addi(EPS), false).rdivi(1);
    xhat = centred.muliRowVector(invStd);
    y = Relu.apply(xhat.mulRowVector(gamma.value()).addiRowVector(beta.value()));
    return y;
  }

  /** 1 x C sums over the N rows of {@code m}: a 1 x N by N x C GEMM. */
  private INDArray columnSums(INDArray m) {
    long n = m.size(0);
    if (ones == null || ones.length() != n || ones.dataType() != m.dataType()) {
      ones = NativeMemory.persistent(() -> Nd4j.ones(m.dataType(), 1, n));
    }
    return Nd4j.gemm(ones, m, false, false);
  }

  /**
   * With g the ReLU-masked upstream gradient and N rows: dbeta = sum g, dgamma = sum g * xhat,
   * dx = gamma * invStd * (g - dbeta / N - xhat * dgamma / N).
   */
  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    INDArray g = Relu.mask(dy, y); // in place: dy came from the next layer
    long n = g.size(0);
    INDArray dbeta = columnSums(g);
    INDArray dgamma = columnSums(g.mul(xhat));
    gamma.gradient().assign(dgamma);
    beta.gradient().assign(dbeta);
    INDArray dx = null;
    if (inputGradient) {
      INDArray correction = xhat.muliRowVector(dgamma.divi(n)); // xhat is not needed after this
      dx = g.subiRowVector(dbeta.divi(n)).subi(correction)
          .muliRowVector(invStd.muli(gamma.value()));
    }
    xhat = null;
    y = null;
    invStd = null;
    return dx;
  }
}
