package dev.contraflow.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Retrieval recall@k for paired data: query i's one correct target is target i; a query counts as
 * a hit when fewer than k targets are more similar to it (cosine) than its own.
 */
public final class RetrievalRecall {

  private static final int BLOCK = 256;

  private RetrievalRecall() {}

  /**
   * @param queries n x d, L2-normalised
   * @param targets n x d, L2-normalised; row i is the target of query i
   * @param ks the k's to report
   * @return recall@k for each k, in order
   */
  public static double[] recallAt(INDArray queries, INDArray targets, int... ks) {
    long n = queries.rows();
    if (targets.rows() != n) {
      throw new IllegalArgumentException(
          "expected as many targets as queries, got " + targets.rows() + " and " + n);
    }
    long[] hits = new long[ks.length];
    for (long from = 0; from < n; from += BLOCK) {
      long to = Math.min(n, from + BLOCK);
      INDArray sims = queries.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())
          .mmul(targets.transpose()); // block x n
      for (long i = from; i < to; i++) {
        INDArray row = sims.getRow(i - from);
        double own = row.getDouble(i);
        long better = row.gt(own).castTo(DataType.INT32)
            .sumNumber().longValue();
        for (int j = 0; j < ks.length; j++) {
          hits[j] += better < ks[j] ? 1 : 0;
        }
      }
    }
    double[] out = new double[ks.length];
    for (int j = 0; j < ks.length; j++) {
      out[j] = (double) hits[j] / n;
    }
    return out;
  }
}
