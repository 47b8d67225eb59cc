package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch norm (Ioffe and Szegedy 2015) over the rows of its input, per column (channel), then ReLU
 * (unless built {@link #withoutRelu}), overwriting the preceding GEMM's output: training normalises
 * with the batch's statistics and moves the running ones by DL4J's decay 0.9; inference uses the
 * running ones.
 *
 * <p>Normalise, scale and shift fold into one per-channel scale and shift: y = (x - mean) (gamma
 * / std) + beta. Where the values are reachable from Java ({@link HostValues}: ND4J's CPU
 * backend), the N x C passes are Java loops over them, over row ranges shared by the cores
 * ({@link FixedRanges}): three forward (column means; centring with the variances; scale, shift
 * and ReLU), two backward (mask with the column sums of g and g (x - mean); the input gradient)
 * against 7 and 8 ND4J ops, each a JNI call and a thread fork (issue 20). Elsewhere (the CUDA
 * backend) they are ND4J ops, four forward and six backward, two of each a column-sum GEMM.
 * Either way the per-channel arithmetic is Java on C values ({@link ChannelVectors}).
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
  private INDArray centred; // N x C, x - mean, kept for backward (ND4J passes)
  private double[] invStd; // C
  private INDArray y; // N x C, kept for the ReLU mask (ND4J passes)
  // Java passes: x - mean kept for backward, and the folded scale and shift, from which the
  // backward pass recomputes the ReLU's mask with the forward's own arithmetic
  private double[] centredValues; // N x C, row-major
  private double[] scale; // C
  private double[] shift; // C
  private double[] scratch; // N x C: outputs and upstream gradients on their way through Java
  private boolean hostForward;

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
    if (HostValues.reachable(x)) {
      if (!training) {
        return inferHost(x); // keeps nothing: a training forward's values survive it
      }
      hostForward = true;
      return trainHost(x);
    }
    hostForward = hostForward && !training;
    int c = (int) channels;
    if (!training) {
      Affine a = runningAffine();
      return activation(x.muliRowVector(ChannelVectors.of(x.dataType(), a.scale()))
          .addiRowVector(ChannelVectors.of(x.dataType(), a.shift())));
    }
    double[] g = ChannelVectors.read(gamma.value());
    double n = x.size(0);
    double[] mean = columnSums.values(x);
    for (int j = 0; j < c; j++) {
      mean[j] /= n;
    }
    // in place: x is the GEMM's own output
    centred = x.subiRowVector(ChannelVectors.of(x.dataType(), mean)); // N x C
    double[] scale = batchStatistics(mean, columnSums.values(centred.mul(centred)), n, g);
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
    if (hostForward) {
      return backwardHost(HostValues.reachable(dy) ? dy : dy.dup('c'), inputGradient);
    }
    INDArray g = relu ? Relu.mask(dy, y) : dy; // in place: dy came from the next layer
    double n = g.size(0);
    Coefficients k = parameterGradients(columnSums.values(g.mul(centred)), columnSums.values(g),
        n);
    INDArray dx = null;
    if (inputGradient) {
      INDArray correction = centred.muliRowVector(ChannelVectors.of(g.dataType(), k.b())); // not needed after this
      dx = g.muliRowVector(ChannelVectors.of(g.dataType(), k.a())).subi(correction)
          .addiRowVector(ChannelVectors.of(g.dataType(), k.shift()));
    }
    centred = null;
    y = null;
    invStd = null;
    return dx;
  }

  /** Inference in one pass over x: act(x scale + shift) with the running statistics, in place. */
  private INDArray inferHost(INDArray x) {
    int n = (int) x.size(0);
    int c = (int) channels;
    Affine a = runningAffine();
    double[] v = scratch = HostValues.atLeast(scratch, (long) n * c); // N x C
    FixedRanges rows = FixedRanges.of(n);
    rows.forEach((long) n * c, r -> {
      int from = rows.from(r) * c;
      int length = rows.to(r) * c - from;
      HostValues.read(x, from, v, from, length);
      normalise(v, v, from, length, a.scale(), a.shift());
      HostValues.write(v, from, length, x, from);
    });
    return x;
  }

  /**
   * Training forward with the batch's statistics, three passes over row ranges ({@link
   * FixedRanges}, a partial column sum per range added in range order): the column means, then x
   * - mean (kept) with the biased variances, then act((x - mean) scale + beta) written over x.
   */
  private INDArray trainHost(INDArray x) {
    int n = (int) x.size(0);
    int c = (int) channels;
    long values = (long) n * c;
    double[] cen = centredValues = HostValues.atLeast(centredValues, values); // N x C
    FixedRanges rows = FixedRanges.of(n);
    double[][] partial = new double[rows.count()][c];
    rows.forEach(values, r -> {
      int from = rows.from(r) * c;
      int to = rows.to(r) * c;
      HostValues.read(x, from, cen, from, to - from);
      double[] sum = partial[r];
      for (int row = from; row < to; row += c) {
        for (int j = 0; j < c; j++) {
          sum[j] += cen[row + j];
        }
      }
    });
    double[] mean = FixedRanges.sumInOrder(partial);
    for (int j = 0; j < c; j++) {
      mean[j] /= n;
    }
    double[][] squares = new double[rows.count()][c];
    rows.forEach(values, r -> {
      double[] sq = squares[r];
      for (int row = rows.from(r) * c, to = rows.to(r) * c; row < to; row += c) {
        for (int j = 0; j < c; j++) {
          double d = cen[row + j] - mean[j];
          cen[row + j] = d;
          sq[j] += d * d;
        }
      }
    });
    double[] sc = scale = batchStatistics(mean, FixedRanges.sumInOrder(squares), n,
        ChannelVectors.read(gamma.value()));
    double[] sh = shift = ChannelVectors.read(beta.value());
    double[] out = scratch = HostValues.atLeast(scratch, values); // N x C
    rows.forEach(values, r -> {
      int from = rows.from(r) * c;
      int length = rows.to(r) * c - from;
      normalise(cen, out, from, length, sc, sh);
      HostValues.write(out, from, length, x, from); // in place: x is the GEMM's own output
    });
    return x;
  }

  /**
   * out := act(in scale + shift) per channel over values [from, from + length) of whole rows
   * ({@code out} may be {@code in}).
   */
  private void normalise(double[] in, double[] out, int from, int length, double[] sc,
      double[] sh) {
    int c = (int) channels;
    for (int row = from; row < from + length; row += c) {
      for (int j = 0; j < c; j++) {
        out[row + j] = in[row + j] * sc[j] + sh[j];
      }
    }
    if (relu) { // a loop of its own, without a branch in the one above (max vectorises)
      for (int i = from; i < from + length; i++) {
        out[i] = Math.max(out[i], 0.0);
      }
    }
  }

  /**
   * The backward pass of {@link #backward} in two passes over row ranges of dy: the ReLU mask
   * (where the forward's z = (x - mean) scale + shift was not positive, recomputed from the kept
   * values) with dbeta = sum g and sum g (x - mean), a partial per range added in range order;
   * then dx = a g - (x - mean) b + shift per channel, written over dy.
   */
  private INDArray backwardHost(INDArray dy, boolean inputGradient) {
    int n = (int) dy.size(0);
    int c = (int) channels;
    long values = (long) n * c;
    double[] cen = centredValues;
    double[] sc = scale;
    double[] sh = shift;
    double[] g = scratch = HostValues.atLeast(scratch, values); // N x C
    FixedRanges rows = FixedRanges.of(n);
    double[][] dbetas = new double[rows.count()][c];
    double[][] dgammas = new double[rows.count()][c];
    rows.forEach(values, r -> {
      int from = rows.from(r) * c;
      int to = rows.to(r) * c;
      HostValues.read(dy, from, g, from, to - from);
      double[] dbeta = dbetas[r];
      double[] dgamma = dgammas[r];
      for (int row = from; row < to; row += c) {
        for (int j = 0; j < c; j++) {
          // the mask as arithmetic, not a branch the random signs mispredict (Relu.masked)
          double gv = relu ? Relu.masked(g[row + j], cen[row + j] * sc[j] + sh[j]) : g[row + j];
          g[row + j] = gv;
          dbeta[j] += gv;
          dgamma[j] += gv * cen[row + j];
        }
      }
    });
    Coefficients k = parameterGradients(FixedRanges.sumInOrder(dgammas),
        FixedRanges.sumInOrder(dbetas), n);
    INDArray dx = null;
    if (inputGradient) {
      double[] a = k.a();
      double[] b = k.b();
      double[] kShift = k.shift();
      rows.forEach(values, r -> {
        int from = rows.from(r) * c;
        int to = rows.to(r) * c;
        for (int row = from; row < to; row += c) {
          for (int j = 0; j < c; j++) {
            g[row + j] = a[j] * g[row + j] - b[j] * cen[row + j] + kShift[j];
          }
        }
        HostValues.write(g, from, to - from, dy, from); // in place: dy came from the next layer
      });
      dx = dy;
    }
    invStd = null;
    scale = null;
    shift = null;
    hostForward = false;
    return dx;
  }

  /**
   * The input gradient's per-channel coefficients: dx = a g - b (x - mean) + shift, with a =
   * gamma / sigma, b = a dgamma / (sigma n) and shift = -a dbeta / n.
   */
  private record Coefficients(double[] a, double[] b, double[] shift) {}

  /** Inference's per-channel y = x scale + shift. */
  private record Affine(double[] scale, double[] shift) {}

  /** scale = gamma / sqrt(running var + eps), shift = beta - running mean * scale. */
  private Affine runningAffine() {
    int c = (int) channels;
    double[] g = ChannelVectors.read(gamma.value());
    double[] mean = ChannelVectors.read(runningMean);
    double[] var = ChannelVectors.read(runningVar);
    double[] scale = new double[c];
    double[] shift = ChannelVectors.read(beta.value());
    for (int j = 0; j < c; j++) {
      scale[j] = g[j] / Math.sqrt(var[j] + EPS);
      shift[j] -= mean[j] * scale[j];
    }
    return new Affine(scale, shift);
  }

  /**
   * Writes the parameter gradients - dgamma = sum(g (x - mean)) / sigma, dbeta = sum(g) - and
   * returns the input gradient's coefficients.
   *
   * @param sumCentred per channel, sum over the batch of g (x - mean); scaled in place
   * @param dbeta per channel, sum over the batch of g
   * @param n the batch size
   */
  private Coefficients parameterGradients(double[] sumCentred, double[] dbeta, double n) {
    int c = (int) channels;
    double[] dgamma = sumCentred;
    for (int j = 0; j < c; j++) {
      dgamma[j] *= invStd[j];
    }
    ChannelVectors.write(gamma.gradient(), dgamma);
    ChannelVectors.write(beta.gradient(), dbeta);
    double[] gam = ChannelVectors.read(gamma.value());
    double[] a = new double[c];
    double[] b = new double[c];
    double[] shift = new double[c];
    for (int j = 0; j < c; j++) {
      a[j] = gam[j] * invStd[j];
      b[j] = a[j] * invStd[j] * dgamma[j] / n;
      shift[j] = -a[j] * dbeta[j] / n;
    }
    return new Coefficients(a, b, shift);
  }

  /**
   * The batch's statistics, per channel: the biased variance sumSquares / n, 1 / sigma into
   * {@link #invStd}, the running mean and variance moved towards the batch's; returns the
   * normalisation's scale gamma / sigma.
   *
   * @param sumSquares per channel, sum over the batch of (x - mean)^2; divided by n in place
   */
  private double[] batchStatistics(double[] mean, double[] sumSquares, double n, double[] g) {
    int c = (int) channels;
    double[] var = sumSquares;
    double[] runMean = ChannelVectors.read(runningMean);
    double[] runVar = ChannelVectors.read(runningVar);
    invStd = new double[c];
    double[] scale = new double[c];
    for (int j = 0; j < c; j++) {
      var[j] /= n; // biased: the batch's own statistics
      runMean[j] = DECAY * runMean[j] + (1 - DECAY) * mean[j];
      runVar[j] = DECAY * runVar[j] + (1 - DECAY) * var[j];
      invStd[j] = 1 / Math.sqrt(var[j] + EPS);
      scale[j] = g[j] * invStd[j];
    }
    ChannelVectors.write(runningMean, runMean);
    ChannelVectors.write(runningVar, runVar);
    return scale;
  }
}
