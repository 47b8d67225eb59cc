package dev.contraflow.contrast;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * InfoNCE (van den Oord et al. 2018) as used by MoCo (He et al. 2020): for each query q, one
 * positive key k+ and K negatives n_j, all L2-normalised,
 *
 * <pre>  L = -log exp(q.k+ / T) / (exp(q.k+ / T) + sum_j exp(q.n_j / T))</pre>
 *
 * i.e. {@link SoftmaxCrossEntropy} over 1 + K logits with the positive at index 0.
 *
 * <p>T (temperature) sharpens the distribution: small T concentrates the gradient on the hardest
 * negatives; MoCo v2 uses 0.2. The keys receive no gradient (they come from the momentum encoder).
 * Some (query, negative) pairs can be excluded - e.g. a queued key of the same source id, which is
 * not a true negative; an excluded pair contributes nothing, as if that negative were absent.
 */
public final class InfoNceLoss {

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
    int batch = (int) queries.rows();
    INDArray positive = queries.mul(keys).sum(true, 1); // B x 1
    boolean hasNegatives = negatives != null && negatives.rows() > 0;
    INDArray logits; // B x (1 + K), the positive first, so every query's target is column 0
    INDArray candidates = null; // (1 + K) x d
    double meanNegative = Double.NaN;
    if (hasNegatives) {
      // the candidates carry a zero row in the positives' place: one GEMM gives every logit (the
      // positive column then written in) and one maps their gradient back, without concatenating
      // the logits or copying the negatives' columns out of their gradient (4 MB each at K 4096)
      candidates = Nd4j.vstack(Nd4j.zeros(queries.dataType(), 1, queries.columns()), negatives);
      logits = Nd4j.createUninitialized(queries.dataType(), batch, candidates.rows());
      Nd4j.gemm(queries, candidates, logits, false, true, 1 / temperature, 0);
      meanNegative = meanExcluding(logits, exclusions);
      logits.getColumn(0, true).assign(positive).divi(temperature);
    } else {
      logits = positive.dup().divi(temperature);
    }
    SoftmaxCrossEntropy.Result ce =
        SoftmaxCrossEntropy.ofClasses(logits, new int[batch], cells(exclusions, 1));

    // dL/dq_b = sum_c dL/dlogits_bc candidate_c / T = ((p_b0 - 1) k_b + sum_j p_bj n_j) / T;
    // 1 / T rides on the GEMM, which adds into the positives' part: no pass over the B x (1 + K)
    // gradient to scale it, no B x d temporary
    INDArray g = ce.dLogits(); // B x (1 + K), of the scaled logits
    INDArray grad = keys.mulColumnVector(g.getColumn(0, true).div(temperature)); // B x d
    if (hasNegatives) { // the zero row drops the positives' column
      Nd4j.gemm(g, candidates, grad, false, false, 1 / temperature, 1.0);
    }
    return new Result(ce.meanLoss(), grad, positive.meanNumber().doubleValue(), meanNegative);
  }

  /** The exclusions as cells of logits whose negatives start at column {@code firstNegative}. */
  static List<SoftmaxCrossEntropy.Cell> cells(List<Exclusion> exclusions, int firstNegative) {
    List<SoftmaxCrossEntropy.Cell> cells = new ArrayList<>(exclusions.size());
    for (Exclusion e : exclusions) {
      cells.add(new SoftmaxCrossEntropy.Cell(e.query(), firstNegative + e.negative()));
    }
    return cells;
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

  /**
   * Mean q.n over the non-excluded pairs, from logits whose column 0 is still zero and whose
   * column 1 + j is q.n_j / T.
   */
  private double meanExcluding(INDArray logits, List<Exclusion> exclusions) {
    double total = logits.sumNumber().doubleValue() * temperature;
    long count = logits.rows() * (logits.columns() - 1);
    for (Exclusion e : exclusions) {
      total -= logits.getDouble(e.query(), 1 + e.negative()) * temperature;
      count--;
    }
    return count == 0 ? Double.NaN : total / count;
  }
}
