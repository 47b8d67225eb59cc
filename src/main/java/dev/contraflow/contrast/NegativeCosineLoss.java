package dev.contraflow.contrast;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The regression loss of BYOL (Grill et al. 2020) and SimSiam (Chen and He 2021): the online
 * network's prediction p should point where the target z points,
 *
 * <pre>  l = || p/||p|| - z/||z|| ||^2 = 2 - 2 cos(p, z)</pre>
 *
 * 0 when aligned, 2 when orthogonal, 4 when opposite. There are no negatives: what keeps the
 * representation from collapsing to a constant is the asymmetry - a predictor on the online branch
 * and no gradient to the target (EMA target in BYOL, stop-gradient in SimSiam). SimSiam writes the
 * same loss as D = -cos = l / 2 - 1.
 */
public final class NegativeCosineLoss {

  private NegativeCosineLoss() {}

  /**
   * @param loss mean of 2 - 2 cos over the rows
   * @param dLossDPrediction B x d gradient of the summed loss with respect to the raw predictions
   * @param meanCosine mean cos(p, z)
   */
  public record Result(double loss, INDArray dLossDPrediction, double meanCosine) {}

  /**
   * @param predictions B x d, raw (normalised here, and the gradient carried back through it)
   * @param targets B x d, raw; they receive no gradient
   */
  public static Result compute(INDArray predictions, INDArray targets) {
    if (!java.util.Arrays.equals(predictions.shape(), targets.shape())) {
      throw new IllegalArgumentException("predictions " + java.util.Arrays.toString(
          predictions.shape()) + " and targets " + java.util.Arrays.toString(targets.shape())
          + " must have the same shape");
    }
    L2Normalization.Normalized p = L2Normalization.forward(predictions);
    INDArray z = L2Normalization.unit(targets);
    INDArray cosine = p.unit().mul(z).sum(true, 1); // B x 1
    double meanCosine = cosine.meanNumber().doubleValue();
    // dl/dp_hat = -2 z_hat
    INDArray grad = L2Normalization.backward(z.mul(-2.0), p);
    return new Result(2 - 2 * meanCosine, grad, meanCosine);
  }
}
