package dev.contraflow.learn;

import dev.contraflow.contrast.RepresentationGeometry;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one step measured. Similarities and geometry are on L2-normalised projections.
 *
 * @param step the model version after the step
 * @param loss the method's loss as its paper defines it (MoCo v2, InstDisc: mean InfoNCE; SimCLR:
 *     mean NT-Xent; MoCo v3: 2T (ctr(q1, k2) + ctr(q2, k1)); BYOL: L + L~ in [0, 8]; SimSiam:
 *     mean -cos in [-1, 1])
 * @param positiveSimilarity mean q.k+ (BYOL, SimSiam: mean cos(prediction, target))
 * @param negativeSimilarity mean q.n over the negatives (NaN without any: an empty queue, BYOL,
 *     SimSiam)
 * @param alignment mean ||q - k+||^2 (Wang and Isola)
 * @param uniformity log mean exp(-2 ||q_i - q_j||^2) over the batch (Wang and Isola)
 * @param embeddingStd mean per-dimension std of the queries (BYOL, SimSiam: of the online
 *     projections; collapse signal, ~1/sqrt(d) healthy, towards 0 collapsed)
 * @param queueFill valid entries in the queue (InstDisc: ids in the memory bank)
 * @param queueMeanAge mean steps since queued entries were enqueued
 * @param samplesPerSecond records per second of this step
 * @param timings where the step's time went
 * @param methodMetrics the method's own figures by name (DINO: {@code teacherEntropy}, the mean
 *     entropy of the teacher's targets, a collapse signal); empty for most methods
 */
public record StepMetrics(
    long step,
    double loss,
    double positiveSimilarity,
    double negativeSimilarity,
    double alignment,
    double uniformity,
    double embeddingStd,
    int queueFill,
    double queueMeanAge,
    double samplesPerSecond,
    StepTimings timings,
    Map<String, Double> methodMetrics) {

  public StepMetrics {
    methodMetrics = Map.copyOf(methodMetrics);
  }

  /**
   * The metrics of a step that ended in {@code next}: the loss's own figures, and the geometry of
   * the L2-normalised queries q and their positives k (B x d each), and the method's own figures.
   */
  public static StepMetrics of(LearnerState next, double loss, double positiveSimilarity,
      double negativeSimilarity, INDArray q, INDArray k, double samplesPerSecond,
      StepTimings timings, Map<String, Double> methodMetrics) {
    return new StepMetrics(next.step(), loss, positiveSimilarity, negativeSimilarity,
        RepresentationGeometry.alignment(q, k), RepresentationGeometry.uniformity(q),
        RepresentationGeometry.embeddingStd(q), next.queueFill(),
        next.queueMeanAge(), samplesPerSecond, timings, methodMetrics);
  }
}
