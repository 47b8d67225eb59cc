package dev.contraflow.contrast;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DINO's self-distillation loss (Caron et al. 2021, Algorithm 1 and {@code DINOLoss} of
 * facebookresearch/dino): the teacher's outputs g_t of the two global views, centred and sharpened,
 *
 * <pre>  P_t = softmax((g_t - C) / tau_t)</pre>
 *
 * are the targets of the student's softmax over its outputs g_s of every view,
 *
 * <pre>  H(P_t, P_s) = - sum_k P_t,k log softmax(g_s / tau_s)_k</pre>
 *
 * averaged over every (global view, student view) pair of different views and over the rows: two
 * global views and V - 2 local crops give 2 (V - 1) pairs. The targets are constants (no gradient
 * to the teacher); the cross-entropy is {@link SoftmaxCrossEntropy} with soft targets, as SwAV's
 * swapped prediction.
 *
 * <p>Centring (subtracting C, an EMA of the teacher's mean output) keeps one dimension from
 * dominating; sharpening (tau_t = 0.04 against tau_s = 0.1) keeps the targets from going uniform.
 * Each alone collapses, the one to a single dimension, the other to the uniform distribution; the
 * two together balance (the paper's section 5.3). {@link #updatedCenter} is C's update, done after
 * the loss with the step's teacher outputs, as the paper does.
 */
public final class DinoLoss {

  private final double studentTemperature;

  /** @param studentTemperature tau_s (DINO: 0.1) */
  public DinoLoss(double studentTemperature) {
    if (!(studentTemperature > 0) || Double.isInfinite(studentTemperature)) {
      throw new IllegalArgumentException("student temperature must be > 0, got "
          + studentTemperature + " (DINO uses 0.1)");
    }
    this.studentTemperature = studentTemperature;
  }

  /**
   * @param loss mean cross-entropy over the pairs and rows
   * @param dLossDStudent per view, N x K: the gradient of the summed loss (sum over pairs and rows,
   *     not divided by pairs x N; the caller's updater divides) with respect to the student's
   *     outputs of that view
   * @param pairs number of (global view, student view) pairs the loss averages over
   */
  public record Result(double loss, INDArray[] dLossDStudent, int pairs) {}

  /**
   * The teacher's targets, softmax((g_t - C) / tau_t), row by row; no gradient.
   *
   * @param teacher N x K teacher outputs of one global view
   * @param center 1 x K centre C
   * @param teacherTemperature tau_t (DINO: 0.04, optionally warmed up to 0.07)
   */
  public static INDArray targets(INDArray teacher, INDArray center, double teacherTemperature) {
    if (!(teacherTemperature > 0)) {
      throw new IllegalArgumentException("teacher temperature must be > 0, got "
          + teacherTemperature + " (DINO uses 0.04)");
    }
    return Transforms.softmax(teacher.subRowVector(center).divi(teacherTemperature), false);
  }

  /**
   * @param student per view, N x K student outputs: the two global views first, then local crops
   * @param targets per global view, N x K teacher targets from {@link #targets}: targets[g] is
   *     the target of every student view but view g
   */
  public Result compute(INDArray[] student, INDArray[] targets) {
    if (targets.length < 1 || student.length <= targets.length - 1) {
      throw new IllegalArgumentException("DINO needs more student views than global views, got "
          + student.length + " student and " + targets.length + " global views");
    }
    INDArray[] dLossDStudent = new INDArray[student.length];
    double total = 0;
    int pairs = 0;
    for (int g = 0; g < targets.length; g++) {
      for (int v = 0; v < student.length; v++) {
        if (v == g) {
          continue; // a view does not predict itself
        }
        // logits: N x K, the student's outputs over tau_s
        SoftmaxCrossEntropy.Result ce = SoftmaxCrossEntropy.ofDistributions(
            student[v].div(studentTemperature), targets[g], List.of());
        INDArray d = ce.dLogits().divi(studentTemperature);
        dLossDStudent[v] = dLossDStudent[v] == null ? d : dLossDStudent[v].addi(d);
        total += ce.meanLoss();
        pairs++;
      }
    }
    return new Result(total / pairs, dLossDStudent, pairs);
  }

  /**
   * C's EMA, C <- m C + (1 - m) mean of the teacher's outputs (DINO: m = 0.9), as a fresh array.
   *
   * @param center 1 x K
   * @param teacher M x K: the teacher's outputs of both global views
   */
  public static INDArray updatedCenter(INDArray center, INDArray teacher, double momentum) {
    return center.mul(momentum).addi(teacher.mean(true, 0).muli(1 - momentum));
  }

  /**
   * Mean entropy (nats) of the rows of a batch of distributions: DINO's collapse signal for the
   * teacher's targets, near log K when they go uniform, near 0 when one dimension dominates.
   */
  public static double meanEntropy(INDArray distributions) {
    INDArray logs = Transforms.log(Transforms.max(distributions, 1e-30, true), false);
    return -distributions.mul(logs).sumNumber().doubleValue() / distributions.rows();
  }
}
