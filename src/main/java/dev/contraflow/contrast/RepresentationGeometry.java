package dev.contraflow.contrast;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Batch-level health measures of L2-normalised embeddings.
 *
 * <p>Alignment and uniformity are Wang and Isola's (2020) two properties of a good contrastive
 * representation: positives close (alignment -> 0) and the whole set spread over the sphere
 * (uniformity more negative). The per-dimension standard deviation is SimSiam's collapse signal
 * (Chen and He 2021): about 1/sqrt(d) when healthy, towards 0 when every input maps to one point.
 */
public final class RepresentationGeometry {

  private RepresentationGeometry() {}

  /** Mean ||x_i - y_i||^2 over positive pairs (alpha = 2); rows must be L2-normalised. */
  public static double alignment(INDArray x, INDArray y) {
    INDArray d = x.sub(y);
    return d.muli(d).sum(1).meanNumber().doubleValue();
  }

  /**
   * log mean_{i != j} exp(-t ||x_i - x_j||^2) with t = 2 over the rows of x (L2-normalised);
   * NaN for fewer than two rows.
   */
  public static double uniformity(INDArray x) {
    long n = x.rows();
    if (n < 2) {
      return Double.NaN;
    }
    // ||x_i - x_j||^2 = 2 - 2 x_i.x_j for unit vectors; gram: n x n
    INDArray kernel = Transforms.exp(x.mmul(x.transpose()).muli(4.0).subi(4.0), false);
    double offDiagonal = kernel.sumNumber().doubleValue() - Nd4j.diag(kernel).sumNumber().doubleValue();
    return Math.log(offDiagonal / (n * (n - 1)));
  }

  /** Mean over dimensions of the per-dimension std (population) across rows; NaN for one row. */
  public static double embeddingStd(INDArray x) {
    if (x.rows() < 2) {
      return Double.NaN;
    }
    return x.std(false, 0).meanNumber().doubleValue();
  }
}
