package dev.contraflow.encoder;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * CPC's parameters beside the encoder (van den Oord et al. 2018): the autoregressive context
 * network g_ar ({@link CausalConvolution}, weight and bias) and one linear map W_k per prediction
 * step k = 1..K, with their optimiser state, in one flat vector {@code [W_ar | b | W_1 .. W_K]}.
 *
 * <p>The two flat arrays are live: a learner state loads into them and captures copies of them
 * (as a named block of its networks), and {@link #update} moves them in place.
 */
public final class ContextPredictor {

  private final CausalConvolution convolution;
  private final int dz;
  private final int dc;
  private final int steps;
  private final float[] params;
  private final float[] updaterState;
  private final IUpdater updater;

  /**
   * Freshly initialised: Xavier-normal weights for the tanh layer and the maps (fan-in), zero bias.
   *
   * @param dz the encodings' dimension
   * @param dc the context's dimension
   * @param kernel R, sentences each context reads
   * @param steps K, future steps predicted
   */
  public ContextPredictor(int dz, int dc, int kernel, int steps, long seed,
      OptimizerConfig optimizer) {
    this.convolution = new CausalConvolution(kernel);
    this.dz = dz;
    this.dc = dc;
    this.steps = steps;
    this.params = new float[kernel * dz * dc + dc + steps * dc * dz];
    this.updater = optimizer.updater();
    this.updaterState = new float[(int) updater.stateSize(params.length)];
    SplittableRandom rng = new SplittableRandom(seed);
    double convStd = Math.sqrt(1.0 / (kernel * dz));
    int i = 0;
    for (; i < kernel * dz * dc; i++) {
      params[i] = (float) (rng.nextGaussian() * convStd);
    }
    i += dc; // bias: zero
    double mapStd = Math.sqrt(1.0 / dc);
    for (; i < params.length; i++) {
      params[i] = (float) (rng.nextGaussian() * mapStd);
    }
  }

  /** The live flat parameters. */
  public float[] params() {
    return params;
  }

  /** The live optimiser state (empty for plain SGD). */
  public float[] updaterState() {
    return updaterState;
  }

  /** The parameters as matrices, copied into ND4J for one step. */
  public Weights weights() {
    INDArray flat = Nd4j.createFromArray(params).reshape(1, params.length);
    long at = 0;
    INDArray conv = slice(flat, at, (long) convolution.kernel() * dz, dc);
    at += (long) convolution.kernel() * dz * dc;
    INDArray bias = slice(flat, at, 1, dc);
    at += dc;
    List<INDArray> maps = new ArrayList<>(steps);
    for (int k = 0; k < steps; k++) {
      maps.add(slice(flat, at, dc, dz));
      at += (long) dc * dz;
    }
    return new Weights(flat, conv, bias, maps);
  }

  /**
   * One step's copy of the parameters, views into {@code flat}.
   *
   * @param conv (R dz) x dc, g_ar's weight
   * @param bias 1 x dc
   * @param maps K matrices dc x dz: W_k, so that the prediction of z_{t+k} is c_t W_k
   */
  public record Weights(INDArray flat, INDArray conv, INDArray bias, List<INDArray> maps) {}

  /** c_t for every step of the stacked runs: N x dc (see {@link CausalConvolution#forward}). */
  public CausalConvolution.Forward context(Weights w, INDArray z, int[] runLengths) {
    return convolution.forward(z, runLengths, w.conv(), w.bias());
  }

  /**
   * Backpropagates the loss's gradients into g_ar and the maps, applies one optimiser step to the
   * live parameters, and returns the gradient with respect to the encodings that fed the context.
   *
   * @param dContext N x dc, dL/dc
   * @param dMaps K matrices dc x dz, dL/dW_k
   * @return N x dz, dL/dz through the context (the futures' own gradient is the caller's)
   */
  public INDArray backwardAndUpdate(Weights w, CausalConvolution.Forward f, int[] runLengths,
      INDArray dContext, List<INDArray> dMaps, int iteration) {
    CausalConvolution.Gradients g = convolution.backward(dContext, f, runLengths, w.conv());
    INDArray gradient = Nd4j.zeros(w.flat().dataType(), 1, params.length); // 1 x P, as flat
    long at = 0;
    slice(gradient, at, (long) convolution.kernel() * dz, dc).assign(g.dWeight());
    at += (long) convolution.kernel() * dz * dc;
    slice(gradient, at, 1, dc).assign(g.dBias());
    at += dc;
    for (INDArray dMap : dMaps) {
      slice(gradient, at, dc, dz).assign(dMap);
      at += (long) dc * dz;
    }
    INDArray state = updaterState.length == 0 ? null
        : Nd4j.createFromArray(updaterState).reshape(1, updaterState.length);
    GradientUpdater<?> u = updater.instantiate(state, false);
    u.applyUpdater(gradient, iteration, 0); // gradient := update
    INDArray next = w.flat().sub(gradient);
    System.arraycopy(next.toFloatVector(), 0, params, 0, params.length);
    if (state != null) {
      System.arraycopy(state.toFloatVector(), 0, updaterState, 0, updaterState.length);
    }
    return g.dInput();
  }

  private static INDArray slice(INDArray flat, long from, long rows, long cols) {
    return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, from + rows * cols))
        .reshape('c', rows, cols);
  }
}
