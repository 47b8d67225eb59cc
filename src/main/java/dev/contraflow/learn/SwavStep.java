package dev.contraflow.learn;

import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;
import static dev.contraflow.learn.PhaseClock.Phase.QUEUE;

import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.contrast.SinkhornKnopp;
import dev.contraflow.contrast.SwappedPredictionLoss;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.FlatArrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SwAV (Caron et al. 2020) with two views: both views' normalised projections are scored against
 * {@value #PROTOTYPES} learnable prototypes (unit length at every step); Sinkhorn-Knopp (3
 * iterations, eps 0.05) turns each view's scores into codes; each view predicts the other's code
 * (swapped prediction, T = 0.1). No negatives and no target network: the equipartition of the
 * codes over the prototypes is what prevents collapse.
 *
 * <p>Micro-batches of a stream are small, so - as SwAV does for small batches - the codes are
 * computed together with a queue of recent features (the learner state's queue, K = queueSize,
 * scored with the current prototypes): the equipartition then holds over B + K features, not B.
 * Both views' features enter the queue.
 *
 * <p>Simplifications: two views of equal size (no multi-crop), and the prototypes are never frozen
 * (the paper freezes them for the first epoch).
 */
final class SwavStep implements MethodStep {

  /** K prototypes (SwAV: 3000 for ImageNet's 1000 classes; 300 suits small data). */
  static final int PROTOTYPES = 300;

  private final Encoder encoder;
  private final SinkhornKnopp sinkhorn = SinkhornKnopp.swavDefaults();
  private final SwappedPredictionLoss loss;

  SwavStep(Encoder encoder, LearnerConfig config) {
    this.encoder = encoder;
    this.loss = new SwappedPredictionLoss(config.temperature());
  }

  @Override
  public Outcome train(Input in, PhaseClock clock) {
    int n = in.batchSize();
    encoder.normalizePrototypes();
    Encoder.Forward f = encoder.forwardForTraining(encoder.batch(in.bothViews()));
    INDArray z = L2Normalization.unit(f.projection()); // 2N x d
    INDArray s1 = MethodStep.rows(f.prototypeScores(), 0, n); // N x K
    INDArray s2 = MethodStep.rows(f.prototypeScores(), n, 2L * n);
    clock.lap(FORWARD);

    // compute codes: targets, no gradient
    NegativeQueue queue = in.state().queue();
    INDArray q1 = codes(s1, queue);
    INDArray q2 = codes(s2, queue);
    // swapped prediction: view 2's scores predict view 1's code and vice versa
    SwappedPredictionLoss.Result r2 = loss.compute(s2, q1);
    SwappedPredictionLoss.Result r1 = loss.compute(s1, q2);
    INDArray dLossDScores = Nd4j.vstack(r1.dLossDScores(), r2.dLossDScores()); // 2N x K
    clock.lap(LOSS);

    // the loss is the mean of the two predictions, each a mean over N: a mean over 2N rows
    encoder.backwardAndUpdate(dLossDScores, in.iteration(), 2 * n);
    clock.lap(BACKWARD);

    long[] ids = new long[2 * n];
    System.arraycopy(in.idHashes(), 0, ids, 0, n);
    System.arraycopy(in.idHashes(), 0, ids, n, n);
    NegativeQueue next = queue.enqueue(FlatArrays.copyOut(z.reshape(z.length())), ids,
        in.state().step());
    clock.lap(QUEUE);
    INDArray z1 = MethodStep.rows(z, 0, n);
    INDArray z2 = MethodStep.rows(z, n, 2L * n);
    return new Outcome((r1.loss() + r2.loss()) / 2, z1.mul(z2).sum(1).meanNumber().doubleValue(),
        Double.NaN, z1, z2, next);
  }

  /** Sinkhorn codes of a view's scores, computed together with the queue's features. */
  private INDArray codes(INDArray scores, NegativeQueue queue) {
    INDArray queued = queue.keysMatrix(); // M x d
    if (queued == null) {
      return sinkhorn.codes(scores);
    }
    INDArray all = Nd4j.vstack(scores, queued.mmul(encoder.prototypes())); // (N + M) x K
    return MethodStep.rows(sinkhorn.codes(all), 0, scores.rows());
  }
}
