package dev.contraflow.contrast;

import dev.contraflow.encoder.FixedRanges;
import dev.contraflow.encoder.HostValues;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
    if (z.rank() == 2 && HostValues.reachable(z)) {
      return forwardHost(z);
    }
    INDArray norms = z.norm2(true, 1).addi(EPS); // B x 1
    return new Normalized(z.divColumnVector(norms), norms);
  }

  /** dL/dz = (dL/dq - q (q . dL/dq)) / ||z||: the component of dL/dq orthogonal to q, rescaled. */
  public static INDArray backward(INDArray dLdq, Normalized n) {
    if (dLdq.rank() == 2 && HostValues.reachable(dLdq, n.unit(), n.norms())) {
      return backwardHost(dLdq, n);
    }
    INDArray radial = dLdq.mul(n.unit()).sum(true, 1); // B x 1
    return dLdq.sub(n.unit().mulColumnVector(radial)).diviColumnVector(n.norms());
  }

  /** A normalised copy of the rows of x. */
  public static INDArray unit(INDArray x) {
    return forward(x).unit();
  }

  /*
   * The same two passes as Java loops over the values, where they are reachable: at B x 128 each
   * ND4J op above costs its dispatch, not its arithmetic (issue 20). Each row is one thread's, over
   * row ranges shared by the cores (FixedRanges), so the values are the same however it is cut.
   */

  private static Normalized forwardHost(INDArray z) {
    int rows = (int) z.rows();
    int d = (int) z.columns();
    double[] v = new double[rows * d];
    double[] norms = new double[rows];
    FixedRanges ranges = FixedRanges.of(rows);
    ranges.forEach(2L * rows * d, r -> {
      int from = ranges.from(r) * d;
      HostValues.read(z, from, v, from, ranges.to(r) * d - from);
      for (int b = ranges.from(r); b < ranges.to(r); b++) {
        double sq = 0;
        for (int j = 0; j < d; j++) {
          sq += v[b * d + j] * v[b * d + j];
        }
        norms[b] = Math.sqrt(sq) + EPS;
        for (int j = 0; j < d; j++) {
          v[b * d + j] /= norms[b];
        }
      }
    });
    INDArray unit = Nd4j.createUninitialized(z.dataType(), rows, d); // B x d
    HostValues.write(v, unit);
    INDArray n = Nd4j.createUninitialized(z.dataType(), rows, 1); // B x 1
    HostValues.write(norms, n);
    return new Normalized(unit, n);
  }

  private static INDArray backwardHost(INDArray dLdq, Normalized n) {
    int rows = (int) dLdq.rows();
    int d = (int) dLdq.columns();
    double[] g = new double[rows * d];
    double[] q = new double[rows * d];
    double[] norms = new double[rows];
    HostValues.read(n.norms(), norms);
    FixedRanges ranges = FixedRanges.of(rows);
    ranges.forEach(3L * rows * d, r -> {
      int from = ranges.from(r) * d;
      int length = ranges.to(r) * d - from;
      HostValues.read(dLdq, from, g, from, length);
      HostValues.read(n.unit(), from, q, from, length);
      for (int b = ranges.from(r); b < ranges.to(r); b++) {
        double radial = 0;
        for (int j = 0; j < d; j++) {
          radial += g[b * d + j] * q[b * d + j];
        }
        for (int j = 0; j < d; j++) {
          g[b * d + j] = (g[b * d + j] - q[b * d + j] * radial) / norms[b];
        }
      }
    });
    INDArray dz = Nd4j.createUninitialized(dLdq.dataType(), rows, d); // B x d
    HostValues.write(g, dz);
    return dz;
  }
}
