package dev.contraflow.contrast;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR (Chen et al. 2020; the
 * InvaSpread loss of Ye et al. 2019 in spirit): N records give 2N views z (rows 0..N-1 the first
 * view, N..2N-1 the second), all L2-normalised. Each view's positive is the other view of its
 * record; the other 2N - 2 views of the batch are its negatives:
 *
 * <pre>  l_i = -log exp(z_i.z_p(i) / T) / sum_{j != i} exp(z_i.z_j / T),   L = mean_i l_i</pre>
 *
 * <p>Unlike InfoNCE against MoCo's keys, every view is both an anchor and a candidate, so every
 * row receives gradient from two places. SimCLR uses T = 0.5 with its batch sizes (256-8192). A
 * candidate of the same source id as the anchor (the same record twice in a batch) is not a true
 * negative and is left out.
 */
public final class NtXentLoss {

  private static final double EXCLUDED = -1e9;

  private final double temperature;

  public NtXentLoss(double temperature) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be > 0, got " + temperature + " (SimCLR uses 0.5)");
    }
    this.temperature = temperature;
  }

  /**
   * @param loss mean over the 2N anchors
   * @param dLossDz 2N x d gradient of the summed loss with respect to the normalised views
   * @param positiveSimilarity mean z_i.z_p(i)
   * @param negativeSimilarity mean similarity to the non-excluded negatives (NaN if none)
   */
  public record Result(double loss, INDArray dLossDz, double positiveSimilarity,
      double negativeSimilarity) {}

  /**
   * @param z 2N x d, L2-normalised; row i and row i + N are the two views of record i
   * @param idHashes N source-id hashes, one per record (see {@link NegativeQueue#idHash})
   */
  public Result compute(INDArray z, long[] idHashes) {
    int n2 = (int) z.rows();
    int n = n2 / 2;
    if (n2 != 2 * n || n != idHashes.length) {
      throw new IllegalArgumentException("NT-Xent needs 2N views for N = " + idHashes.length
          + " records, got " + n2);
    }
    INDArray similarity = z.mmul(z.transpose()); // 2N x 2N
    Masks m = masks(idHashes, z.dataType());
    INDArray logits = similarity.div(temperature).addi(m.excluded());
    double negativeCount = m.negatives().sumNumber().doubleValue();
    double negativeTotal = similarity.mul(m.negatives()).sumNumber().doubleValue();
    INDArray target = m.positives();
    INDArray max = logits.max(true, 1);
    INDArray p = Transforms.exp(logits.subColumnVector(max), false);
    INDArray sum = p.sum(true, 1);
    p.diviColumnVector(sum); // softmax over candidates; self and excluded get exactly 0
    INDArray positive = similarity.mul(target).sum(true, 1); // 2N x 1
    // l_i = logsumexp(logits_i) - z_i.z_p(i) / T
    double loss = (Transforms.log(sum, true).addi(max).sumNumber().doubleValue()
        - positive.sumNumber().doubleValue() / temperature) / n2;

    // dl/dlogits = softmax - onehot; logits_ij = z_i.z_j / T is symmetric in (i, j), so
    // dL/dz = (G + G^T) z with G = (softmax - onehot) / T
    INDArray g = p.subi(target).divi(temperature);
    INDArray grad = g.add(g.transpose()).mmul(z);
    return new Result(loss, grad, positive.meanNumber().doubleValue(),
        negativeCount == 0 ? Double.NaN : negativeTotal / negativeCount);
  }

  private static int positiveOf(int i, int n) {
    return i < n ? i + n : i - n;
  }

  /**
   * 2N x 2N masks: {@code positives} one-hot at each anchor's positive, {@code negatives} 1 at the
   * true negatives, {@code excluded} EXCLUDED (added to the logits) at self-pairs and at pairs of
   * the same source id that are not each other's positive.
   */
  private record Masks(INDArray positives, INDArray negatives, INDArray excluded) {}

  private static Masks masks(long[] idHashes, org.nd4j.linalg.api.buffer.DataType type) {
    int n = idHashes.length;
    int n2 = 2 * n;
    double[] positives = new double[n2 * n2];
    double[] negatives = new double[n2 * n2];
    double[] excluded = new double[n2 * n2];
    for (int i = 0; i < n2; i++) {
      for (int j = 0; j < n2; j++) {
        int at = i * n2 + j;
        if (j == positiveOf(i, n)) {
          positives[at] = 1;
        } else if (i == j || idHashes[i % n] == idHashes[j % n]) {
          excluded[at] = EXCLUDED;
        } else {
          negatives[at] = 1;
        }
      }
    }
    long[] shape = {n2, n2};
    return new Masks(Nd4j.create(positives, shape, 'c').castTo(type),
        Nd4j.create(negatives, shape, 'c').castTo(type),
        Nd4j.create(excluded, shape, 'c').castTo(type));
  }
}
