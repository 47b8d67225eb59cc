package dev.contraflow.learn;

import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.NegativeQueue;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What differs between the image methods: the loss and the updates of one training step, on
 * networks the {@link Learner} has already loaded from the state. Views, embeddings, state capture
 * and metrics are the learner's.
 */
interface MethodStep {

  /**
   * @param state the state the step starts from (already loaded into the networks)
   * @param views [view][record] -> pixels; two views of every record, then SwAV's local crops
   * @param idHashes source-id hash of every record
   * @param rng the learner's random stream, after the views were drawn
   */
  record Input(LearnerState state, float[][][] views, long[] idHashes, Rng rng) {

    int batchSize() {
      return idHashes.length;
    }

    int iteration() {
      return (int) state.step();
    }

    /** Both views stacked, first views then second views: 2N rows. */
    float[][] bothViews() {
      return stacked(2);
    }

    /** Every view stacked, view by view: (number of views) x N rows. */
    float[][] allViews() {
      return stacked(views.length);
    }

    private float[][] stacked(int count) {
      int n = views[0].length;
      float[][] out = new float[count * n][];
      for (int v = 0; v < count; v++) {
        System.arraycopy(views[v], 0, out, v * n, n);
      }
      return out;
    }
  }

  /**
   * @param loss the method's loss (as its paper defines it)
   * @param positiveSimilarity mean cosine of each query to its positive / target
   * @param negativeSimilarity mean cosine to negatives (NaN for methods without any)
   * @param q L2-normalised queries, one row per record (geometry metrics, embedding std)
   * @param k L2-normalised positives of q, row for row
   * @param queue the queue (MoCo) or memory bank (InstDisc) after the step
   */
  record Outcome(double loss, double positiveSimilarity, double negativeSimilarity, INDArray q,
      INDArray k, NegativeQueue queue) {}

  Outcome train(Input in, PhaseClock clock);

  /** Rows [from, to) of x, as a fresh array. */
  static INDArray rows(INDArray x, long from, long to) {
    return x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
        org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
  }

  /** The two halves of a 2N-row matrix swapped: row i of view 1 faces row i of view 2. */
  static INDArray swapHalves(INDArray x) {
    long n = x.rows() / 2;
    return Nd4j.vstack(rows(x, n, 2 * n), rows(x, 0, n));
  }
}
