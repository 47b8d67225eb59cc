package dev.contraflow.contrast;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

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
    Candidates c = candidates(idHashes);
    SoftmaxCrossEntropy.Result ce =
        SoftmaxCrossEntropy.ofClasses(similarity.div(temperature), c.positives(), c.excluded());

    // logits_ij = z_i.z_j / T is symmetric in (i, j), so dL/dz = (G + G^T) z with
    // G = dL/dlogits / T
    INDArray g = ce.dLogits().divi(temperature);
    INDArray grad = g.add(g.transpose()).mmul(z);
    double positiveTotal = 0;
    for (int i = 0; i < n2; i++) {
      positiveTotal += similarity.getDouble(i, c.positives()[i]);
    }
    double negativeTotal = similarity.sumNumber().doubleValue() - positiveTotal;
    for (SoftmaxCrossEntropy.Cell e : c.excluded()) {
      negativeTotal -= similarity.getDouble(e.row(), e.column());
    }
    long negativeCount = (long) n2 * n2 - n2 - c.excluded().size();
    return new Result(ce.meanLoss(), grad, positiveTotal / n2,
        negativeCount == 0 ? Double.NaN : negativeTotal / negativeCount);
  }

  private static int positiveOf(int i, int n) {
    return i < n ? i + n : i - n;
  }

  /**
   * Each anchor's target column (its other view) and the cells that are neither the target nor a
   * true negative: the anchor itself and views of the same source id.
   */
  private record Candidates(int[] positives, List<SoftmaxCrossEntropy.Cell> excluded) {}

  private static Candidates candidates(long[] idHashes) {
    int n = idHashes.length;
    int n2 = 2 * n;
    int[] positives = new int[n2];
    List<SoftmaxCrossEntropy.Cell> excluded = new ArrayList<>(n2);
    for (int i = 0; i < n2; i++) {
      positives[i] = positiveOf(i, n);
      for (int j = 0; j < n2; j++) {
        if (j != positives[i] && (i == j || idHashes[i % n] == idHashes[j % n])) {
          excluded.add(new SoftmaxCrossEntropy.Cell(i, j));
        }
      }
    }
    return new Candidates(positives, excluded);
  }
}
