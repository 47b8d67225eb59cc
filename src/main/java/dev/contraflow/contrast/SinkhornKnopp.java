package dev.contraflow.contrast;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * SwAV's online codes (Caron et al. 2020, sec. 3.1 and Algorithm 1): soft assignments Q of B
 * features to K prototypes that follow the prototype scores but use every prototype equally, the
 * entropy-regularised optimal transport
 *
 * <pre>  max_Q Tr(Q^T C^T Z) + eps H(Q)  subject to  Q 1_K = 1_B / B (rows),  Q^T 1_B = 1_K / K</pre>
 *
 * solved by a few Sinkhorn-Knopp iterations on exp(scores / eps). The paper uses 3 iterations and
 * eps = 0.05: a small eps gives sharp codes, a large one uniform codes (the equipartition alone).
 * The codes are returned scaled so that each feature's code sums to 1 (a distribution over
 * prototypes); each prototype then receives B / K in total, exactly after enough iterations and
 * approximately after 3. The codes are targets: no gradient flows through them.
 */
public final class SinkhornKnopp {

  private final double epsilon;
  private final int iterations;

  public SinkhornKnopp(double epsilon, int iterations) {
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("Sinkhorn epsilon must be > 0, got " + epsilon
          + " (SwAV uses 0.05)");
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("Sinkhorn iterations must be >= 1, got " + iterations
          + " (SwAV uses 3)");
    }
    this.epsilon = epsilon;
    this.iterations = iterations;
  }

  /** SwAV's defaults: eps = 0.05, 3 iterations. */
  public static SinkhornKnopp swavDefaults() {
    return new SinkhornKnopp(0.05, 3);
  }

  /**
   * @param scores B x K similarities of L2-normalised features to L2-normalised prototypes
   * @return B x K codes; every row sums to 1
   */
  public INDArray codes(INDArray scores) {
    long b = scores.rows();
    long k = scores.columns();
    // subtracting the maximum changes nothing after normalisation, and keeps exp() finite
    INDArray q = Transforms.exp(scores.sub(scores.maxNumber()).divi(epsilon), false); // B x K
    q.divi(q.sumNumber());
    for (int it = 0; it < iterations; it++) {
      q.diviRowVector(q.sum(true, 0)).divi(k); // each prototype: total mass 1 / K
      q.diviColumnVector(q.sum(true, 1)).divi(b); // each feature: total mass 1 / B
    }
    return q.muli(b);
  }
}
