package dev.contraflow.contrast;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The sentence-embedding InfoNCE of SimCSE (Gao et al. 2021), with ESimCSE's queue (Wu et al.
 * 2022). Query h_i, its positive h_i+, optional hard negatives h_m- (supervised SimCSE: the
 * contradiction of a premise) and queued momentum-encoder keys n_k, all L2-normalised:
 *
 * <pre>  L_i = -log exp(h_i.h_i+ / T) / (sum_j exp(h_i.h_j+ / T) + sum_m exp(h_i.h_m- / T)
 *                                   + sum_k exp(h_i.n_k / T))</pre>
 *
 * i.e. {@link SoftmaxCrossEntropy} over the candidates [positives (B); hard negatives (M); queue
 * (K)] with the target at column i: the other records' positives are the in-batch negatives, and
 * every hard negative is in every query's denominator, as in the paper. Unlike MoCo's keys,
 * positives and hard negatives come from the trained encoder, so they receive gradients too; the
 * queue does not.
 *
 * <p>T = 0.05 in both papers: a low temperature, since sentences of one corpus are all fairly
 * similar and the differences that matter are small.
 */
public final class SimCseLoss {

  private final double temperature;

  public SimCseLoss(double temperature) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be > 0, got " + temperature + " (SimCSE uses 0.05)");
    }
    this.temperature = temperature;
  }

  /**
   * @param loss mean over the queries
   * @param dLossDQuery B x d gradient of the summed loss
   * @param dLossDPositive B x d
   * @param dLossDHardNegative M x d (0 rows without hard negatives)
   * @param positiveSimilarity mean h_i.h_i+
   * @param negativeSimilarity mean similarity to all non-target, non-excluded candidates (NaN if
   *     none)
   */
  public record Result(double loss, INDArray dLossDQuery, INDArray dLossDPositive,
      INDArray dLossDHardNegative, double positiveSimilarity, double negativeSimilarity) {}

  /**
   * @param queries B x d, L2-normalised
   * @param positives B x d, L2-normalised; row i is the positive of query i
   * @param hardNegatives M x d, L2-normalised, or null
   * @param queue K x d, L2-normalised, or null
   * @param exclusions (query, candidate column) pairs left out of the denominator, e.g. a queued
   *     key of the query's own record; columns count positives, then hard negatives, then queue
   */
  public Result compute(INDArray queries, INDArray positives, INDArray hardNegatives,
      INDArray queue, List<InfoNceLoss.Exclusion> exclusions) {
    int b = (int) queries.rows();
    int m = hardNegatives == null ? 0 : (int) hardNegatives.rows();
    List<INDArray> parts = new ArrayList<>(List.of(positives));
    if (m > 0) {
      parts.add(hardNegatives);
    }
    if (queue != null && queue.rows() > 0) {
      parts.add(queue);
    }
    INDArray candidates = parts.size() == 1 ? positives : Nd4j.vstack(parts.toArray(INDArray[]::new));
    int c = (int) candidates.rows();

    INDArray similarity = queries.mmul(candidates.transpose()); // B x C
    int[] targets = new int[b]; // query i's positive is candidate i
    double positiveTotal = 0;
    for (int i = 0; i < b; i++) {
      targets[i] = i;
      positiveTotal += similarity.getDouble(i, i);
    }
    SoftmaxCrossEntropy.Result ce =
        SoftmaxCrossEntropy.ofClasses(similarity.div(temperature), targets,
        InfoNceLoss.cells(exclusions, 0));

    // logits are similarities / T: the queries and the candidates both receive G / T
    INDArray g = ce.dLogits().divi(temperature); // B x C
    INDArray dQuery = g.mmul(candidates); // B x d
    INDArray dCandidates = g.transpose().mmul(queries); // C x d
    INDArray dPositive = dCandidates.get(NDArrayIndex.interval(0, b), NDArrayIndex.all()).dup();
    INDArray dHard = m > 0
        ? dCandidates.get(NDArrayIndex.interval(b, b + m), NDArrayIndex.all()).dup()
        : noRows(queries);
    double positive = positiveTotal / b;
    return new Result(ce.meanLoss(), dQuery, dPositive, dHard, positive,
        meanNegative(similarity, b, c, positive, exclusions));
  }

  /** 0 x d, made outside any workspace: ND4J cannot allocate an empty array inside one. */
  private static INDArray noRows(INDArray like) {
    try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return Nd4j.zeros(like.dataType(), 0, like.columns());
    }
  }

  /** Mean similarity over non-target, non-excluded candidates (exclusions are off-target). */
  private static double meanNegative(INDArray similarity, int b, int c, double meanPositive,
      List<InfoNceLoss.Exclusion> exclusions) {
    double total = similarity.sumNumber().doubleValue() - meanPositive * b;
    long count = (long) b * c - b;
    for (InfoNceLoss.Exclusion e : exclusions) {
      total -= similarity.getDouble(e.query(), e.negative());
      count--;
    }
    return count <= 0 ? Double.NaN : total / count;
  }
}
