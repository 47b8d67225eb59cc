package dev.contraflow.contrast;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Contrastive predictive coding's InfoNCE (van den Oord, Li and Vinyals 2018, equation 4): a
 * context c_t, summarising a sequence up to step t, predicts the encoding z_{t+k} of each of the
 * next K steps through its own linear map W_k, and the score f_k(z, c_t) = z^T W_k c_t must pick
 * the true future out of the other sequences' encodings at the same offset (the in-batch
 * negatives). The loss is the mean over the K offsets of each offset's mean cross-entropy; like
 * the paper's, the score is the raw bilinear product, without a temperature.
 *
 * <p>Sequences end: an offset k may have a future for only some of the contexts, so each offset
 * names the context rows it scores ({@link Offset#rows}).
 */
public final class CpcLoss {

  /**
   * One offset k's targets.
   *
   * @param rows the context rows that have a step t+k, in order
   * @param futures rows.length x dz: z_{t+k} of those contexts' sequences, row i the future of
   *     context rows[i]
   * @param weight dc x dz: W_k
   */
  public record Offset(int[] rows, INDArray futures, INDArray weight) {
    public Offset {
      if (futures.rows() != rows.length) {
        throw new IllegalArgumentException("one future per context row: " + rows.length
            + " rows, got " + futures.rows() + " futures");
      }
    }
  }

  /**
   * @param loss mean over the offsets that have at least two rows (one positive, one negative)
   * @param accuracy share of scored rows whose own future scores highest
   * @param dContext N x dc, gradient of the loss with respect to the contexts
   * @param dFutures per offset, rows.length x dz
   * @param dWeights per offset, dc x dz
   */
  public record Result(double loss, double accuracy, INDArray dContext, List<INDArray> dFutures,
      List<INDArray> dWeights) {}

  private CpcLoss() {}

  /** @param context N x dc: c_t of N sequences */
  public static Result compute(INDArray context, List<Offset> offsets) {
    INDArray dContext = Nd4j.zeros(context.dataType(), context.shape());
    List<INDArray> dFutures = new java.util.ArrayList<>();
    List<INDArray> dWeights = new java.util.ArrayList<>();
    int scored = 0;
    for (Offset o : offsets) {
      scored += o.rows().length >= 2 ? 1 : 0;
    }
    double loss = 0;
    long hits = 0;
    long rowsScored = 0;
    for (Offset o : offsets) {
      int n = o.rows().length;
      if (n < 2) { // no negative: nothing to contrast
        dFutures.add(Nd4j.zeros(o.futures().dataType(), o.futures().shape()));
        dWeights.add(Nd4j.zeros(o.weight().dataType(), o.weight().shape()));
        continue;
      }
      INDArray c = context.getRows(o.rows()); // n x dc
      INDArray predictions = c.mmul(o.weight()); // n x dz: W_k c_t
      INDArray logits = predictions.mmul(o.futures().transpose()); // n x n, positives on the diagonal
      int[] diagonal = java.util.stream.IntStream.range(0, n).toArray();
      SoftmaxCrossEntropy.Result ce = SoftmaxCrossEntropy.ofClasses(logits, diagonal, List.of());
      loss += ce.meanLoss() / scored;
      INDArray argmax = logits.argMax(1);
      for (int i = 0; i < n; i++) {
        hits += argmax.getInt(i) == i ? 1 : 0;
      }
      rowsScored += n;
      // the loss is the mean over offsets of each offset's mean over its rows
      INDArray dLogits = ce.dLogits().divi((double) n * scored); // n x n
      INDArray dPredictions = dLogits.mmul(o.futures()); // n x dz
      dFutures.add(dLogits.transpose().mmul(predictions)); // n x dz
      dWeights.add(c.transpose().mmul(dPredictions)); // dc x dz
      INDArray dc = dPredictions.mmul(o.weight().transpose()); // n x dc
      for (int i = 0; i < n; i++) {
        dContext.getRow(o.rows()[i]).addi(dc.getRow(i));
      }
    }
    return new Result(loss, rowsScored == 0 ? 0 : (double) hits / rowsScored, dContext, dFutures,
        dWeights);
  }
}
