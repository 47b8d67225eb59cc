package dev.contraflow.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Retrieval recall@k for paired data: query i's one correct target is target i. Ties are ranked at
 * random, and the expected hit counted: with g targets more similar to the query (cosine) than its
 * own and e others exactly as similar, the own target's rank is uniform over g + 1 .. g + e + 1, so
 * the query scores min(e + 1, max(0, k - g)) / (e + 1) at k.
 *
 * <p>Why not count a tie as a hit: a sparse representation (TF-IDF) gives a query that shares no
 * word with any target a cosine of 0 to every target, its own included; counted as a hit, that
 * query "retrieves" its target among 2,000 without any evidence (on bench text's WordNet pairs,
 * 115 of TF-IDF's 190 hits at 1 were such queries). Dense embeddings almost never tie, so their
 * recall is the same either way.
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
    double[] hits = new double[ks.length];
    for (long from = 0; from < n; from += BLOCK) {
      long to = Math.min(n, from + BLOCK);
      INDArray sims = queries.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())
          .mmul(targets.transpose()); // block x n
      for (long i = from; i < to; i++) {
        INDArray row = sims.getRow(i - from);
        double own = row.getDouble(i);
        long better = row.gt(own).castTo(DataType.INT32).sumNumber().longValue();
        long tied = row.eq(own).castTo(DataType.INT32).sumNumber().longValue() - 1; // not itself
        for (int j = 0; j < ks.length; j++) {
          hits[j] += (double) Math.min(tied + 1, Math.max(0, ks[j] - better)) / (tied + 1);
        }
      }
    }
    double[] out = new double[ks.length];
    for (int j = 0; j < ks.length; j++) {
      out[j] = hits[j] / n;
    }
    return out;
  }
}
