package dev.contraflow.contrast;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Contrastive predictive coding's InfoNCE (van den Oord, Li and Vinyals 2018, equation 4): a
 * context c_t, summarising a sequence up to step t, predicts the encoding z_{t+k} of each of the
 * next K steps through its own linear map W_k, and the score f_k(z, c_t) = z^T W_k c_t must pick
 * the true future out of the other sequences' encodings: the other rows' futures at the same
 * offset (the in-batch negatives) and, if given, a queue of past encodings ({@link Queued}), shared
 * by every offset, as MoCo's dictionary widens InfoNCE beyond the batch. The loss is the mean over
 * the K offsets of each offset's mean cross-entropy; like the paper's, the score is the raw
 * bilinear product, without a temperature.
 *
 * <p>Sequences end: an offset k may have a future for only some of the contexts, so each offset
 * names the context rows it scores ({@link Offset#rows}).
 *
 * <p>Queued encodings are constants (no gradient to them: an older encoder made them), and a
 * queued encoding of the context's own sequence is left out of its softmax: it is no other
 * sequence's, and after a repeated or restarted document it may be the true future itself.
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
   * Past encodings z, the extra negatives of every offset.
   *
   * @param keys Q x dz, constants
   * @param sequences Q: the hash of each key's sequence ({@link NegativeQueue#idHash})
   */
  public record Queued(INDArray keys, long[] sequences) {
    /** No queue: in-batch negatives only. */
    public static final Queued NONE = new Queued(null, new long[0]);

    public Queued {
      if ((keys == null ? 0 : keys.rows()) != sequences.length) {
        throw new IllegalArgumentException("one sequence per queued key: "
            + (keys == null ? 0 : keys.rows()) + " keys, got " + sequences.length + " sequences");
      }
    }

    /** Q, the queued keys. */
    public int size() {
      return sequences.length;
    }
  }

  /**
   * @param loss mean over the offsets that have a negative beside each positive (a second row or
   *     a queued key)
   * @param accuracy share of scored rows whose own future scores highest
   * @param dContext N x dc, gradient of the loss with respect to the contexts
   * @param dFutures per offset, rows.length x dz
   * @param dWeights per offset, dc x dz
   */
  public record Result(double loss, double accuracy, INDArray dContext, List<INDArray> dFutures,
      List<INDArray> dWeights) {}

  private CpcLoss() {}

  /**
   * In-batch negatives only.
   *
   * @param context N x dc: c_t of N sequences
   */
  public static Result compute(INDArray context, List<Offset> offsets) {
    return compute(context, new long[context.rows()], offsets, Queued.NONE);
  }

  /** Whether an offset of {@code rows} rows has a negative beside each positive. */
  public static boolean hasNegative(int rows, Queued queued) {
    return rows >= 2 || (rows == 1 && queued.size() > 0);
  }

  /**
   * @param context N x dc: c_t of N sequences
   * @param contextSequences N: the hash of each context's sequence (matched against the queue's)
   * @param queued past encodings, negatives of every offset
   */
  public static Result compute(INDArray context, long[] contextSequences, List<Offset> offsets,
      Queued queued) {
    if (contextSequences.length != context.rows()) {
      throw new IllegalArgumentException("one sequence per context: " + context.rows()
          + " contexts, got " + contextSequences.length + " sequences");
    }
    INDArray dContext = Nd4j.zeros(context.dataType(), context.shape());
    List<INDArray> dFutures = new java.util.ArrayList<>();
    List<INDArray> dWeights = new java.util.ArrayList<>();
    int scored = 0;
    for (Offset o : offsets) {
      scored += hasNegative(o.rows().length, queued) ? 1 : 0;
    }
    int q = queued.size();
    INDArray keys = q == 0 ? null : queued.keys().castTo(context.dataType()); // Q x dz
    double loss = 0;
    long hits = 0;
    long rowsScored = 0;
    for (Offset o : offsets) {
      int n = o.rows().length;
      if (!hasNegative(n, queued)) { // nothing to contrast
        dFutures.add(Nd4j.zeros(o.futures().dataType(), o.futures().shape()));
        dWeights.add(Nd4j.zeros(o.weight().dataType(), o.weight().shape()));
        continue;
      }
      INDArray c = context.getRows(o.rows()); // n x dc
      INDArray predictions = c.mmul(o.weight()); // n x dz: W_k c_t
      // logits: n x (n + Q), the in-batch futures (positives on the diagonal), then the queue
      INDArray batchLogits = predictions.mmul(o.futures().transpose()); // n x n
      INDArray logits = q == 0 ? batchLogits
          : Nd4j.hstack(batchLogits, predictions.mmul(keys.transpose()));
      int[] diagonal = java.util.stream.IntStream.range(0, n).toArray();
      List<SoftmaxCrossEntropy.Cell> excluded = ownSequence(o.rows(), contextSequences, queued, n);
      SoftmaxCrossEntropy.Result ce = SoftmaxCrossEntropy.ofClasses(logits, diagonal, excluded);
      loss += ce.meanLoss() / scored;
      INDArray argmax = masked(logits, excluded).argMax(1);
      for (int i = 0; i < n; i++) {
        hits += argmax.getInt(i) == i ? 1 : 0;
      }
      rowsScored += n;
      // the loss is the mean over offsets of each offset's mean over its rows
      INDArray dAll = ce.dLogits().divi((double) n * scored); // n x (n + Q)
      INDArray dLogits = q == 0 ? dAll
          : dAll.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n)); // n x n
      INDArray dPredictions = dLogits.mmul(o.futures()); // n x dz
      if (q > 0) { // the queue's share; the keys themselves are constants
        dPredictions.addi(dAll.get(NDArrayIndex.all(), NDArrayIndex.interval(n, n + q))
            .mmul(keys));
      }
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

  /** The logits with the excluded cells out of reach of an argmax. */
  private static INDArray masked(INDArray logits, List<SoftmaxCrossEntropy.Cell> excluded) {
    if (excluded.isEmpty()) {
      return logits;
    }
    INDArray m = logits.dup();
    for (SoftmaxCrossEntropy.Cell c : excluded) {
      m.putScalar(c.row(), c.column(), SoftmaxCrossEntropy.EXCLUDED);
    }
    return m;
  }

  /** The queue's cells (columns n..n+Q-1) holding an encoding of the row's own sequence. */
  private static List<SoftmaxCrossEntropy.Cell> ownSequence(int[] rows, long[] contextSequences,
      Queued queued, int n) {
    List<SoftmaxCrossEntropy.Cell> out = new java.util.ArrayList<>();
    for (int j = 0; j < queued.size(); j++) {
      for (int i = 0; i < rows.length; i++) {
        if (queued.sequences()[j] == contextSequences[rows[i]]) {
          out.add(new SoftmaxCrossEntropy.Cell(i, n + j));
        }
      }
    }
    return out;
  }
}
