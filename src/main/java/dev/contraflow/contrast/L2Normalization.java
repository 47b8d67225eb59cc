package dev.contraflow.contrast;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-wise L2 normalisation q = z / ||z|| and its backward pass.
 *
 * <p>Contrastive losses compare directions (cosine similarity), so the encoder's raw projection z is
 * normalised before the loss and the loss gradient is carried back through the normalisation.
 */
public final class L2Normalization {

  /** Guards against division by zero for an all-zero row. */
  private static final double EPS = 1e-12;

  private L2Normalization() {}

  /** The normalised rows and the norms they were divided by. */
  public record Normalized(INDArray unit, INDArray norms) {}

  /** z: B x d -> unit: B x d, norms: B x 1. */
  public static Normalized forward(INDArray z) {
    INDArray norms = z.norm2(true, 1).addi(EPS); // B x 1
    return new Normalized(z.divColumnVector(norms), norms);
  }

  /** dL/dz = (dL/dq - q (q . dL/dq)) / ||z||: the component of dL/dq orthogonal to q, rescaled. */
  public static INDArray backward(INDArray dLdq, Normalized n) {
    INDArray radial = dLdq.mul(n.unit()).sum(true, 1); // B x 1
    return dLdq.sub(n.unit().mulColumnVector(radial)).diviColumnVector(n.norms());
  }

  /** A normalised copy of the rows of x. */
  public static INDArray unit(INDArray x) {
    return forward(x).unit();
  }
}
