package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch norm (Ioffe and Szegedy 2015) over the rows of its input, per column (channel), then ReLU
 * (unless built {@link #withoutRelu}), overwriting the preceding GEMM's output: training normalises
 * with the batch's statistics and moves the running ones by DL4J's decay 0.9; inference uses the
 * running ones.
 *
 * <p>Only the N x C passes are ND4J ops (four forward, six backward, two of each a column-sum
 * GEMM); the per-channel arithmetic is done in Java on C values ({@link ChannelVectors}). Normalise,
 * scale and shift fold into one per-channel scale and shift: y = (x - mean) (gamma / std) + beta.
 */
final class BatchNormRelu implements GemmLayer {

  private static final double EPS = 1e-5;
  /** Weight of the old running statistics (DL4J's BatchNormalization decay). */
  private static final double DECAY = 0.9;

  private final long channels;
  private final boolean relu;
  private final ColumnSums columnSums = new ColumnSums();
  private ParameterLayout.Slot gamma; // 1 x C
  private ParameterLayout.Slot beta; // 1 x C
  private INDArray runningMean; // 1 x C
  private INDArray runningVar; // 1 x C
  private INDArray centred; // N x C, x - mean, kept for backward
  private double[] invStd; // C
  private INDArray y; // N x C, kept for the ReLU mask

  BatchNormRelu(long channels) {
    this(channels, true);
  }

  private BatchNormRelu(long channels, boolean relu) {
    this.channels = channels;
    this.relu = relu;
  }

  /**
   * Batch norm alone, for a layer whose pre-activation is an output of its own (the encoder's
   * representation); a {@link Relu} layer follows it in the chain.
   */
  static BatchNormRelu withoutRelu(long channels) {
    return new BatchNormRelu(channels, false);
  }

  private INDArray activation(INDArray z) {
    return relu ? Relu.apply(z) : z;
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
    int c = (int) channels;
    double[] g = ChannelVectors.read(gamma.value());
    if (!training) {
      double[] mean = ChannelVectors.read(runningMean);
      double[] var = ChannelVectors.read(runningVar);
      double[] scale = new double[c];
      double[] shift = ChannelVectors.read(beta.value());
      for (int j = 0; j < c; j++) {
        scale[j] = g[j] / Math.sqrt(var[j] + EPS);
        shift[j] -= mean[j] * scale[j];
      }
      return activation(x.muliRowVector(ChannelVectors.of(x.dataType(), scale))
          .addiRowVector(ChannelVectors.of(x.dataType(), shift)));
    }
    double n = x.size(0);
    double[] mean = columnSums.values(x);
    for (int j = 0; j < c; j++) {
      mean[j] /= n;
    }
    // in place: x is the GEMM's own output
    centred = x.subiRowVector(ChannelVectors.of(x.dataType(), mean)); // N x C
    double[] var = columnSums.values(centred.mul(centred)); // biased: the batch's own statistics
    double[] runMean = ChannelVectors.read(runningMean);
    double[] runVar = ChannelVectors.read(runningVar);
    invStd = new double[c];
    double[] scale = new double[c];
    for (int j = 0; j < c; j++) {
      var[j] /= n;
      runMean[j] = DECAY * runMean[j] + (1 - DECAY) * mean[j];
      runVar[j] = DECAY * runVar[j] + (1 - DECAY) * var[j];
      invStd[j] = 1 / Math.sqrt(var[j] + EPS);
      scale[j] = g[j] * invStd[j];
    }
    ChannelVectors.write(runningMean, runMean);
    ChannelVectors.write(runningVar, runVar);
    INDArray out = activation(centred.mulRowVector(ChannelVectors.of(x.dataType(), scale))
        .addiRowVector(beta.value()));
    y = relu ? out : null;
    return out;
  }

  /**
   * With g the ReLU-masked upstream gradient, N rows and xhat = (x - mean) / std: dbeta = sum g,
   * dgamma = sum g * xhat, dx = gamma / std * (g - dbeta / N - xhat * dgamma / N), computed as
   * a g - (x - mean) b + c per channel.
   */
  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    INDArray g = relu ? Relu.mask(dy, y) : dy; // in place: dy came from the next layer
    int c = (int) channels;
    double n = g.size(0);
    double[] dbeta = columnSums.values(g);
    double[] dgamma = columnSums.values(g.mul(centred));
    for (int j = 0; j < c; j++) {
      dgamma[j] *= invStd[j];
    }
    ChannelVectors.write(gamma.gradient(), dgamma);
    ChannelVectors.write(beta.gradient(), dbeta);
    INDArray dx = null;
    if (inputGradient) {
      double[] gam = ChannelVectors.read(gamma.value());
      double[] a = new double[c];
      double[] b = new double[c];
      double[] shift = new double[c];
      for (int j = 0; j < c; j++) {
        a[j] = gam[j] * invStd[j];
        b[j] = a[j] * invStd[j] * dgamma[j] / n;
        shift[j] = -a[j] * dbeta[j] / n;
      }
      INDArray correction = centred.muliRowVector(ChannelVectors.of(g.dataType(), b)); // not needed after this
      dx = g.muliRowVector(ChannelVectors.of(g.dataType(), a)).subi(correction)
          .addiRowVector(ChannelVectors.of(g.dataType(), shift));
    }
    centred = null;
    y = null;
    invStd = null;
    return dx;
  }
}
