package dev.contraflow.contrast;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SwAV's swapped prediction (Caron et al. 2020, eq. 2): the code q of one view (from
 * {@link SinkhornKnopp}) is the target of the other view's softmax over prototype scores,
 *
 * <pre>  l(z, q) = - sum_k q_k log softmax(z.c / tau)_k</pre>
 *
 * i.e. {@link SoftmaxCrossEntropy} with the codes as soft targets.
 *
 * tau = 0.1 in the paper. The codes are constants; the gradient flows into the scores (and from
 * there into the features and the prototypes).
 */
public final class SwappedPredictionLoss {

  private final double temperature;

  public SwappedPredictionLoss(double temperature) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be > 0, got " + temperature + " (SwAV uses 0.1)");
    }
    this.temperature = temperature;
  }

  /**
   * @param loss mean over the rows
   * @param dLossDScores B x K gradient of the summed loss with respect to the scores
   */
  public record Result(double loss, INDArray dLossDScores) {}

  /**
   * @param scores B x K feature-prototype similarities of the predicting view
   * @param codes B x K targets from the other view, rows summing to 1
   */
  public Result compute(INDArray scores, INDArray codes) {
    SoftmaxCrossEntropy.Result ce =
        SoftmaxCrossEntropy.ofDistributions(scores.div(temperature), codes, List.of());
    // logits are scores / tau
    return new Result(ce.meanLoss(), ce.dLogits().divi(temperature));
  }
}
