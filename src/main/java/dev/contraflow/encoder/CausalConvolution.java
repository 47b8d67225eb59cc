package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * CPC's autoregressive context network g_ar as a causal convolution with a tanh (van den Oord,
 * Li and Vinyals 2018 use a GRU and name causal convolutions as the alternative; WaveNet's causal
 * convolution is theirs too): {@code c_t = tanh(b + sum_{j=0}^{R-1} z_{t-j} W_j)}. The context of
 * step t reads z_t and the R - 1 steps before it in its own run, never a later step and never
 * another run's; steps before a run's start count as zero.
 *
 * <p>A convolution rather than a GRU because a stream trains on short windows (R + K - 1 old
 * sentences and the new ones): a receptive field of R sentences is all a window can feed either
 * way, and the convolution's gradient is one GEMM instead of a loop through time.
 *
 * <p>Runs of any length are stacked row after row; {@code runLengths} says where each ends. The
 * layer keeps no parameters: the caller owns the weight and bias (see {@link ContextPredictor}).
 */
public final class CausalConvolution {

  /**
   * What the backward pass reads.
   *
   * @param lagged N x (R dz): row t is [z_t, z_{t-1}, ..., z_{t-R+1}], zeros before its run
   * @param context N x dc: c_t
   */
  public record Forward(INDArray lagged, INDArray context) {}

  /**
   * @param dInput N x dz
   * @param dWeight (R dz) x dc
   * @param dBias 1 x dc
   */
  public record Gradients(INDArray dInput, INDArray dWeight, INDArray dBias) {}

  private final int kernel;

  /** @param kernel R, steps each context reads (1: c_t = tanh(b + z_t W_0), no history) */
  public CausalConvolution(int kernel) {
    if (kernel < 1) {
      throw new IllegalArgumentException("causal convolution kernel must be >= 1, got " + kernel
          + " (3: a sentence and the two before it)");
    }
    this.kernel = kernel;
  }

  public int kernel() {
    return kernel;
  }

  /**
   * @param z N x dz, the runs' encodings in order, run after run
   * @param runLengths lengths of the stacked runs, summing to N
   * @param weight (R dz) x dc; rows j dz .. (j + 1) dz - 1 are W_j, applied to z_{t-j}
   * @param bias 1 x dc
   */
  public Forward forward(INDArray z, int[] runLengths, INDArray weight, INDArray bias) {
    INDArray lagged = lag(z, runLengths); // N x (R dz)
    INDArray context = Transforms.tanh(lagged.mmul(weight).addiRowVector(bias), false); // N x dc
    return new Forward(lagged, context);
  }

  /** The gradients of a loss L given dL/dc (N x dc) at the forward {@code f}. */
  public Gradients backward(INDArray dContext, Forward f, int[] runLengths, INDArray weight) {
    INDArray c = f.context();
    INDArray dPre = dContext.mul(c.mul(c).rsubi(1)); // N x dc: tanh' = 1 - c^2
    INDArray dWeight = f.lagged().transpose().mmul(dPre); // (R dz) x dc
    INDArray dBias = dPre.sum(true, 0); // 1 x dc
    INDArray dLagged = dPre.mmul(weight.transpose()); // N x (R dz)
    return new Gradients(unlag(dLagged, runLengths, weight.rows() / kernel), dWeight, dBias);
  }

  /** N x dz to N x (R dz): each row followed by the R - 1 rows before it in its run. */
  private INDArray lag(INDArray z, int[] runLengths) {
    int n = (int) z.rows();
    int dz = (int) z.columns();
    requireRuns(runLengths, n);
    double[][] rows = z.toDoubleMatrix();
    double[][] out = new double[n][kernel * dz];
    int start = 0;
    for (int length : runLengths) {
      for (int t = start; t < start + length; t++) {
        for (int j = 0; j < kernel && t - j >= start; j++) {
          System.arraycopy(rows[t - j], 0, out[t], j * dz, dz);
        }
      }
      start += length;
    }
    return Nd4j.createFromArray(out).castTo(z.dataType());
  }

  /** The adjoint of {@link #lag}: each lagged block's gradient back to the row it came from. */
  private INDArray unlag(INDArray dLagged, int[] runLengths, int dz) {
    int n = (int) dLagged.rows();
    double[][] rows = dLagged.toDoubleMatrix();
    double[][] out = new double[n][dz];
    int start = 0;
    for (int length : runLengths) {
      for (int t = start; t < start + length; t++) {
        for (int j = 0; j < kernel && t - j >= start; j++) {
          double[] into = out[t - j];
          for (int i = 0; i < dz; i++) {
            into[i] += rows[t][j * dz + i];
          }
        }
      }
      start += length;
    }
    return Nd4j.createFromArray(out).castTo(dLagged.dataType());
  }

  private static void requireRuns(int[] runLengths, int n) {
    long total = 0;
    for (int length : runLengths) {
      if (length < 1) {
        throw new IllegalArgumentException("every run needs at least one step, got " + length);
      }
      total += length;
    }
    if (total != n) {
      throw new IllegalArgumentException("run lengths sum to " + total + " but there are " + n
          + " encodings");
    }
  }
}
