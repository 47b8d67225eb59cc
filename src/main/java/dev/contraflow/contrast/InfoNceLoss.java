package dev.contraflow.contrast;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import dev.contraflow.encoder.Gemm;
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
    INDArray positive = queries.mul(keys).sum(true, 1); // B x 1, q.k+
    double meanPositive = positive.meanNumber().doubleValue();
    if (negatives == null || negatives.rows() == 0) {
      SoftmaxCrossEntropy.Result ce = SoftmaxCrossEntropy.ofClasses(positive.divi(temperature),
          new int[batch], List.of()); // one logit per row: loss 0, gradient 0
      return new Result(ce.meanLoss(), keys.mulColumnVector(ce.dLogits().div(temperature)),
          meanPositive, Double.NaN);
    }
    // logits: B x (1 + K), kept as the positives (B x 1) and the negatives' B x K, never
    // assembled (the negatives' logits are one GEMM on the queue's keys as they are)
    INDArray negativeLogits = Gemm.gemm(queries, negatives,
        Nd4j.createUninitialized(queries.dataType(), batch, negatives.rows()), false, true,
        1 / temperature, 0); // B x K
    double meanNegative = meanNegative(queries, negatives, negativeLogits, exclusions);
    SoftmaxCrossEntropy.Separated ce = SoftmaxCrossEntropy.ofPositives(
        positive.div(temperature), negativeLogits, cells(exclusions, 0));

    // dL/dq_b = sum_c dL/dlogits_bc candidate_c / T = ((p_b0 - 1) k_b + sum_j p_bj n_j) / T,
    // with p_bj = othersScale_b exps_bj: the row scale rides on the GEMM's B x d result, not on
    // the B x K exps
    INDArray grad = Gemm.gemm(ce.exps(), negatives, false, false); // B x d, sum_j exps_bj n_j
    grad.muliColumnVector(column(ce.othersScale(), grad));
    grad.addi(keys.mulColumnVector(column(ce.dPositive(), grad)));
    return new Result(ce.meanLoss(), grad.divi(temperature), meanPositive, meanNegative);
  }

  /** 1 x d: the sums of the rows of x, as a GEMM (ND4J's column reductions are slower). */
  private static INDArray columnSums(INDArray x) {
    return Gemm.gemm(Nd4j.ones(x.dataType(), 1, x.rows()), x, false, false);
  }

  /** B values as a B x 1 column of {@code like}'s type. */
  private static INDArray column(double[] values, INDArray like) {
    return Nd4j.createFromArray(values).castTo(like.dataType()).reshape(values.length, 1);
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
   * Mean q.n over the non-excluded pairs, without a pass over the B x K logits: the sum over all
   * pairs is (sum_b q_b).(sum_j n_j), less the excluded pairs' logits times T (read before the
   * softmax overwrites them).
   */
  private double meanNegative(INDArray queries, INDArray negatives, INDArray logits,
      List<Exclusion> exclusions) {
    double total = Gemm.gemm(columnSums(queries), columnSums(negatives), false, true)
        .getDouble(0, 0);
    long count = queries.rows() * negatives.rows();
    for (Exclusion e : exclusions) {
      total -= logits.getDouble(e.query(), e.negative()) * temperature;
      count--;
    }
    return count == 0 ? Double.NaN : total / count;
  }
}
