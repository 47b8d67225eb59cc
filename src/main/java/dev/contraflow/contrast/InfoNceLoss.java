package dev.contraflow.contrast;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * InfoNCE (van den Oord et al. 2018) as used by MoCo (He et al. 2020): for each query q, one
 * positive key k+ and K negatives n_j, all L2-normalised,
 *
 * <pre>  L = -log exp(q.k+ / T) / (exp(q.k+ / T) + sum_j exp(q.n_j / T))</pre>
 *
 * i.e. cross-entropy over 1 + K logits with the positive at index 0.
 *
 * <p>T (temperature) sharpens the distribution: small T concentrates the gradient on the hardest
 * negatives; MoCo v2 uses 0.2. The keys receive no gradient (they come from the momentum encoder).
 * Some (query, negative) pairs can be excluded - e.g. a queued key of the same source id, which is
 * not a true negative; an excluded pair contributes nothing, as if that negative were absent.
 */
public final class InfoNceLoss {

  /** Excluded logits are set to this, so exp() underflows to exactly 0. */
  private static final double EXCLUDED = -1e9;

  private final double temperature;

  public InfoNceLoss(double temperature) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be > 0, got " + temperature + " (MoCo v2 uses 0.2)");
    }
    this.temperature = temperature;
  }

  public double temperature() {
    return temperature;
  }

  /** One excluded (query row, negative row) pair. */
  public record Exclusion(int query, int negative) {}

  /**
   * @param loss mean loss over the batch
   * @param dLossDQuery B x d gradient of the summed loss with respect to the queries
   * @param positiveSimilarity mean q.k+
   * @param negativeSimilarity mean q.n over non-excluded pairs (NaN without negatives)
   */
  public record Result(double loss, INDArray dLossDQuery, double positiveSimilarity,
      double negativeSimilarity) {}

  /**
   * @param queries B x d, L2-normalised
   * @param keys B x d, L2-normalised positives (row i is the positive of query i)
   * @param negatives K x d, L2-normalised (K may be 0)
   * @param exclusions pairs to leave out of the denominator
   */
  public Result compute(INDArray queries, INDArray keys, INDArray negatives,
      List<Exclusion> exclusions) {
    long batch = queries.rows();
    INDArray positive = queries.mul(keys).sum(true, 1); // B x 1
    boolean hasNegatives = negatives != null && negatives.rows() > 0;
    INDArray negative = hasNegatives ? queries.mmul(negatives.transpose()) : null; // B x K
    double meanNegative = hasNegatives ? meanExcluding(negative, exclusions) : Double.NaN;

    // logits: B x (1 + K), positive first
    INDArray logits = hasNegatives ? Nd4j.hstack(positive, negative) : positive.dup();
    logits.divi(temperature);
    for (Exclusion e : exclusions) {
      logits.putScalar(e.query(), 1L + e.negative(), EXCLUDED);
    }
    INDArray max = logits.max(true, 1);
    INDArray p = logits.subColumnVector(max);
    Transforms.exp(p, false);
    INDArray sum = p.sum(true, 1);
    p.diviColumnVector(sum); // softmax
    // loss_b = logsumexp(logits_b) - logits_b[0]
    INDArray lossPerQuery = Transforms.log(sum, true)
        .addi(max).subi(logits.getColumn(0, true));

    // dL/dq_b = ((p_b0 - 1) k_b + sum_j p_bj n_j) / T
    INDArray grad = keys.mulColumnVector(p.getColumn(0, true).sub(1.0));
    if (hasNegatives) {
      INDArray pNeg = p.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 1 + negatives.rows()));
      grad.addi(pNeg.mmul(negatives));
    }
    grad.divi(temperature);
    return new Result(lossPerQuery.sumNumber().doubleValue() / batch, grad,
        positive.meanNumber().doubleValue(), meanNegative);
  }

  /**
   * For keys of the batch itself used as negatives (MoCo v3): every (query i, key j) pair of the
   * same source id, including each query's own positive key j = i, which must not count twice.
   */
  public static List<Exclusion> sameIdPairs(long[] queryIdHashes, long[] keyIdHashes) {
    java.util.Map<Long, List<Integer>> columns = new java.util.HashMap<>();
    for (int j = 0; j < keyIdHashes.length; j++) {
      columns.computeIfAbsent(keyIdHashes[j], x -> new java.util.ArrayList<>(1)).add(j);
    }
    List<Exclusion> out = new java.util.ArrayList<>();
    for (int i = 0; i < queryIdHashes.length; i++) {
      for (int j : columns.getOrDefault(queryIdHashes[i], List.of())) {
        out.add(new Exclusion(i, j));
      }
    }
    return out;
  }

  private static double meanExcluding(INDArray similarities, List<Exclusion> exclusions) {
    double total = similarities.sumNumber().doubleValue();
    long count = similarities.length();
    for (Exclusion e : exclusions) {
      total -= similarities.getDouble(e.query(), e.negative());
      count--;
    }
    return count == 0 ? Double.NaN : total / count;
  }
}
