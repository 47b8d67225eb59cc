package dev.contraflow.contrast;

import dev.contraflow.encoder.FixedRanges;
import dev.contraflow.encoder.Gemm;
import dev.contraflow.encoder.HostValues;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The one softmax cross-entropy behind every contrastive loss here: each row of a B x C logit
 * matrix is a classification over C candidates, scored against a target distribution t_b,
 *
 * <pre>  l_b = - sum_c t_bc log softmax(logits_b)_c = sum_c t_bc (logsumexp(logits_b) - logits_bc)
 *  dl_b / dlogits_b = softmax(logits_b) sum_c t_bc - t_b</pre>
 *
 * InfoNCE, NT-Xent, SimCSE and CLIP have one target class per row ({@link #ofClasses}); SwAV's
 * swapped prediction has soft targets, the other view's codes ({@link #ofDistributions}). The
 * losses only build their logits and map {@code dLogits} back onto their features, as lightly's
 * losses do around one {@code CrossEntropyLoss}.
 *
 * <p>Excluded cells (a candidate that is not a true negative, or a row's own entry) leave the
 * softmax: their logit is set to {@link #EXCLUDED}, so exp() underflows to exactly 0 and they get
 * no gradient, as if the candidate were absent. The softmax is taken after subtracting each row's
 * maximum, so large logits (small temperatures, CLIP's scale of 100) do not overflow.
 */
public final class SoftmaxCrossEntropy {

  /** The logit of an excluded cell: far enough below any real logit that exp() gives 0. */
  static final double EXCLUDED = -1e9;

  private SoftmaxCrossEntropy() {}

  /** A (row, column) cell of the logits that takes no part in the softmax. */
  public record Cell(int row, int column) {}

  /**
   * @param meanLoss mean of l_b over the B rows
   * @param dLogits B x C gradient of the summed loss sum_b l_b with respect to the logits (per row,
   *     not divided by B: the callers scale it as their own loss is defined)
   */
  public record Result(double meanLoss, INDArray dLogits) {}

  /**
   * @param logits B x C, left unchanged
   * @param targets B class indices, row b's target is column targets[b]; never an excluded cell
   * @param exclusions cells left out of the softmax
   */
  public static Result ofClasses(INDArray logits, int[] targets, List<Cell> exclusions) {
    if (targets.length != logits.rows()) {
      throw new IllegalArgumentException("one target class per row needed: " + logits.rows()
          + " rows, got " + targets.length + " targets");
    }
    Softmax s = softmax(logits, exclusions, false);
    // l_b = logsumexp_b - logits[b, t_b]; dl_b = softmax_b - onehot(t_b)
    double targetTotal = 0;
    INDArray d = s.probabilities();
    for (int b = 0; b < targets.length; b++) {
      targetTotal += logits.getDouble(b, targets[b]);
      d.putScalar(b, targets[b], d.getDouble(b, targets[b]) - 1.0);
    }
    double total = s.logSumExp().sumNumber().doubleValue() - targetTotal;
    return new Result(total / targets.length, d);
  }

  /**
   * The cross-entropy of {@link #ofClasses} with the target logit of each row kept apart from
   * the others: InfoNCE against a queue, whose logits are (positive | B x K negatives). Keeping
   * them apart saves the B x (1 + K) matrix's assembly, and the gradient of the others is left
   * unnormalised: {@code dOthers[b, j] = othersScale[b] * exps[b, j]}, which the caller folds into
   * the GEMM that maps it back (a pass over B x K less). The B x K logits are passed over once
   * per row in Java where they are reachable ({@link #shiftedExpsHost}), else four times.
   *
   * @param positives B x 1 target logits
   * @param others B x K non-target logits, overwritten by exps (the unnormalised probabilities)
   * @param exclusions cells of {@code others} left out of the softmax
   */
  public static Separated ofPositives(INDArray positives, INDArray others, List<Cell> exclusions) {
    int rows = (int) others.rows();
    if (positives.length() != rows) {
      throw new IllegalArgumentException("one positive logit per row needed: " + rows
          + " rows, got " + positives.length() + " positives");
    }
    for (Cell e : exclusions) {
      others.putScalar(e.row(), e.column(), EXCLUDED);
    }
    double[] positive = positives.reshape(rows).toDoubleVector();
    double[] max = new double[rows];
    double[] sums = others.rank() == 2 && HostValues.reachable(others)
        ? shiftedExpsHost(others, positive, max) : shiftedExps(others, positive, max);
    double total = 0;
    double[] dPositive = new double[rows];
    double[] othersScale = new double[rows];
    for (int b = 0; b < rows; b++) {
      double target = Math.exp(positive[b] - max[b]);
      double z = sums[b] + target; // sum of exp(l - max) over the row, the target included
      total += Math.log(z) + max[b] - positive[b]; // l_b = logsumexp_b - positive_b
      dPositive[b] = target / z - 1;
      othersScale[b] = 1 / z;
    }
    return new Separated(total / rows, dPositive, othersScale, others);
  }

  /**
   * others := exp(others - max) per row, with max (written into {@code max}) the row's largest
   * logit, the positive included; returns the rows' sums of the new values. Four ND4J passes over
   * the B x K values: the row maxima, the shift, exp() and the row sums (a matrix-vector product).
   */
  private static double[] shiftedExps(INDArray others, double[] positive, double[] max) {
    int rows = positive.length;
    double[] othersMax = others.max(true, 1).reshape(rows).toDoubleVector();
    for (int b = 0; b < rows; b++) {
      max[b] = Math.max(othersMax[b], positive[b]);
    }
    INDArray shift = Nd4j.createFromArray(max).castTo(others.dataType()).reshape(rows, 1);
    Transforms.exp(others.subiColumnVector(shift), false); // B x K, exp(l - max)
    INDArray ones = Nd4j.ones(others.dataType(), others.columns(), 1);
    return Gemm.gemm(others, ones, false, false).reshape(rows).toDoubleVector(); // B
  }

  /**
   * {@link #shiftedExps} as one Java pass per row - maximum, exp() of the shifted values in
   * double, their sum - over row ranges shared by the cores ({@link FixedRanges}): each row is
   * one thread's, so the sums are the same however the rows are shared. Where ND4J's four ops
   * each ran over the B x K values (4 MB at K 4096, B 256) from memory, a row (16 KB) stays in
   * the core's cache between the steps (issue 20). Float logits take {@link #expOfNonPositive},
   * doubles (the gradient checks, to 1e-12) {@code Math.exp}.
   */
  private static double[] shiftedExpsHost(INDArray others, double[] positive, double[] max) {
    int rows = positive.length;
    double[] sums = new double[rows];
    FixedRanges ranges = FixedRanges.of(rows);
    boolean single = others.dataType() == DataType.FLOAT;
    ranges.forEach(2L * rows * others.columns(), r -> {
      if (single) {
        floatRows(others, ranges.from(r), ranges.to(r), positive, max, sums);
      } else {
        doubleRows(others, ranges.from(r), ranges.to(r), positive, max, sums);
      }
    });
    return sums;
  }

  /** {@link #shiftedExpsHost} on rows [from, to) of float logits. */
  private static void floatRows(INDArray others, int from, int to, double[] positive,
      double[] max, double[] sums) {
    int k = (int) others.columns();
    float[] row = new float[k];
    double[] shifted = new double[k];
    for (int b = from; b < to; b++) {
      HostValues.readFloats(others, (long) b * k, row, k);
      double m = positive[b];
      for (int j = 0; j < k; j++) {
        m = Math.max(m, row[j]);
      }
      // loops of their own: the one of exp() alone is what the JIT vectorises
      for (int j = 0; j < k; j++) {
        shifted[j] = row[j] - m;
      }
      expOfNonPositive(shifted, k);
      for (int j = 0; j < k; j++) {
        row[j] = (float) shifted[j];
      }
      max[b] = m;
      sums[b] = sum(row, k); // as stored: excluded cells exactly 0
      HostValues.writeFloats(row, k, others, (long) b * k);
    }
  }

  /** {@link #shiftedExpsHost} on rows [from, to) of double logits, with {@code Math.exp}. */
  private static void doubleRows(INDArray others, int from, int to, double[] positive,
      double[] max, double[] sums) {
    int k = (int) others.columns();
    double[] row = new double[k];
    for (int b = from; b < to; b++) {
      HostValues.read(others, (long) b * k, row, k);
      double m = positive[b];
      for (int j = 0; j < k; j++) {
        m = Math.max(m, row[j]);
      }
      double sum = 0;
      for (int j = 0; j < k; j++) {
        row[j] = Math.exp(row[j] - m);
        sum += row[j];
      }
      max[b] = m;
      sums[b] = sum;
      HostValues.write(row, k, others, (long) b * k);
    }
  }

  /** Where {@link #expOfNonPositive} clamps: exp(-110) is 0 as a float (whose least is e^-103.3). */
  private static final double FLOAT_EXP_FLOOR = -110;

  /**
   * x := exp(x) for x[0, n) all &lt;= 0, to a relative 1e-8 (below a float's rounding, 6e-8),
   * for float logits: exp(x) = exp(x / 2^10)^(2^10), the inner exp by its Taylor polynomial to
   * y^6 / 6! on |y| &lt;= 0.11, then ten squarings; arguments below {@link #FLOAT_EXP_FLOOR}
   * (excluded cells) are clamped to it, whose exp rounds to 0 as a float. Only multiplications and
   * additions, so the JIT vectorises the loop: on this machine 3.4 ms per 10^6 values on one core
   * against 9.5 for a scalar polynomial with 2^n from its bits and 13.7 for {@code Math.exp}
   * (issue 20; ND4J's exp took ~2.8 ms of CPU over two threads).
   */
  static void expOfNonPositive(double[] x, int n) {
    for (int i = 0; i < n; i++) {
      double y = Math.max(x[i], FLOAT_EXP_FLOOR) * (1.0 / 1024);
      double p = 1 + y * (1 + y * (1.0 / 2 + y * (1.0 / 6 + y * (1.0 / 24 + y * (1.0 / 120
          + y * (1.0 / 720))))));
      p *= p; // ^2
      p *= p;
      p *= p;
      p *= p;
      p *= p; // ^32
      p *= p;
      p *= p;
      p *= p;
      p *= p;
      p *= p; // ^1024
      x[i] = p;
    }
  }

  /** The sum of v[0, n) in double, in four interleaved partial sums added in a fixed order. */
  private static double sum(float[] v, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += v[j];
      s1 += v[j + 1];
      s2 += v[j + 2];
      s3 += v[j + 3];
    }
    for (; j < n; j++) {
      s0 += v[j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * @param meanLoss mean of l_b over the B rows
   * @param dPositive B gradients of the summed loss with respect to the target logits
   * @param othersScale B factors: the others' gradient is {@code othersScale[b] * exps[b, j]}
   * @param exps B x K, exp(logit - row maximum) of the other logits (0 in excluded cells)
   */
  public record Separated(double meanLoss, double[] dPositive, double[] othersScale,
      INDArray exps) {}

  /**
   * @param logits B x C, left unchanged
   * @param targets B x C non-negative weights per row (a distribution, e.g. Sinkhorn codes); zero
   *     on excluded cells
   * @param exclusions cells left out of the softmax
   */
  public static Result ofDistributions(INDArray logits, INDArray targets, List<Cell> exclusions) {
    if (!java.util.Arrays.equals(logits.shape(), targets.shape())) {
      throw new IllegalArgumentException("targets must have the logits' shape "
          + java.util.Arrays.toString(logits.shape()) + ", got "
          + java.util.Arrays.toString(targets.shape()));
    }
    Softmax s = softmax(logits, exclusions, true);
    INDArray mass = targets.sum(true, 1); // B x 1
    // l_b = sum_c t_bc logsumexp_b - sum_c t_bc logits_bc (excluded cells carry no target)
    double total = s.logSumExp().mul(mass).sumNumber().doubleValue()
        - s.maskedLogits().mul(targets).sumNumber().doubleValue();
    INDArray d = s.probabilities().muliColumnVector(mass).subi(targets);
    return new Result(total / logits.rows(), d);
  }

  /**
   * Row-wise softmax, its log normaliser (B x 1) and, if asked, the logits with the exclusions
   * applied (null otherwise).
   */
  private record Softmax(INDArray probabilities, INDArray logSumExp, INDArray maskedLogits) {}

  /**
   * One copy of the B x C logits, worked on in place: with exclusions the masked copy becomes the
   * probabilities unless the caller still needs it ({@code keepMasked}). Every pass over the
   * logits costs as much as the small GEMMs around it (InfoNCE at K 4096: 4 MB per update).
   */
  private static Softmax softmax(INDArray logits, List<Cell> exclusions, boolean keepMasked) {
    INDArray masked = exclusions.isEmpty() ? logits : logits.dup();
    for (Cell e : exclusions) {
      masked.putScalar(e.row(), e.column(), EXCLUDED);
    }
    INDArray max = masked.max(true, 1); // B x 1
    INDArray p = masked == logits || keepMasked ? masked.dup() : masked; // B x C
    Transforms.exp(p.subiColumnVector(max), false);
    INDArray sum = p.sum(true, 1); // B x 1
    p.diviColumnVector(sum);
    return new Softmax(p, Transforms.log(sum, false).addi(max), keepMasked ? masked : null);
  }
}
