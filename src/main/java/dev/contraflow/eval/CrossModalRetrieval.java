package dev.contraflow.eval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Retrieval across modalities for paired data (CLIP's image-to-text and text-to-image recall):
 * query i's one correct target is target i.
 *
 * <p>Ties are counted fairly, as the expected hit rate when tied targets are ordered at random:
 * templated captions repeat word for word, and identical captions embed to identical vectors, so
 * counting a tie as a hit (or a miss) would flatter (or punish) the model for what it cannot tell
 * apart. With g targets more similar than the own one and e others exactly as similar,
 * hit@k = clamp((k - g) / (e + 1), 0, 1).
 */
public final class CrossModalRetrieval {

  private static final int BLOCK = 256;
  /** Similarities this close count as tied (float rounding of identical vectors). */
  private static final double TIE = 1e-6;

  private CrossModalRetrieval() {}

  /**
   * @param recallAtK expected recall@k for each k asked, in order
   * @param classHitAt1 expected fraction of queries whose most similar target has the query's
   *     label (class-level retrieval)
   */
  public record Result(double[] recallAtK, double classHitAt1) {}

  /**
   * @param queries n x d, L2-normalised
   * @param targets n x d, L2-normalised; row i is the target of query i
   * @param labels n class labels, of query i and of target i alike
   */
  public static Result evaluate(INDArray queries, INDArray targets, int[] labels, int... ks) {
    long n = queries.rows();
    if (targets.rows() != n || labels.length != n) {
      throw new IllegalArgumentException("expected as many targets and labels as queries (" + n
          + "), got " + targets.rows() + " and " + labels.length);
    }
    double[] hits = new double[ks.length];
    double classHits = 0;
    for (long from = 0; from < n; from += BLOCK) {
      long to = Math.min(n, from + BLOCK);
      double[][] sims = queries.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())
          .mmul(targets.transpose()).toDoubleMatrix(); // block x n
      for (long i = from; i < to; i++) {
        double[] row = sims[(int) (i - from)];
        int q = (int) i;
        double own = row[q];
        double best = Double.NEGATIVE_INFINITY;
        int better = 0;
        int tied = 0;
        for (int j = 0; j < n; j++) {
          best = Math.max(best, row[j]);
          if (j != q) {
            if (row[j] > own + TIE) {
              better++;
            } else if (row[j] >= own - TIE) {
              tied++;
            }
          }
        }
        for (int k = 0; k < ks.length; k++) {
          hits[k] += Math.max(0, Math.min(1, (double) (ks[k] - better) / (tied + 1)));
        }
        int top = 0;
        int topSameClass = 0;
        for (int j = 0; j < n; j++) {
          if (row[j] >= best - TIE) {
            top++;
            topSameClass += labels[j] == labels[q] ? 1 : 0;
          }
        }
        classHits += (double) topSameClass / top;
      }
    }
    double[] recall = new double[ks.length];
    for (int k = 0; k < ks.length; k++) {
      recall[k] = hits[k] / n;
    }
    return new Result(recall, classHits / n);
  }
}
