package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;
import static dev.contraflow.learn.PhaseClock.Phase.QUEUE;

import dev.contraflow.augment.ImageViews;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.contrast.SinkhornKnopp;
import dev.contraflow.contrast.SwappedPredictionLoss;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.FlatArrays;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.PhaseClock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SwAV (Caron et al. 2020) with multi-crop: two global views and {@code swav.localCrops} local
 * crops (default 4; 0 = two views only) of each record (area fraction {@value ImageMethodStep#LOCAL_SCALE_MIN} up
 * to where the global crops start, {@code cropScaleMin}, as SwAV's 0.05-0.14 local against 0.14-1
 * global crops). Every view's normalised projection is scored against {@code swav.prototypes}
 * (default 300) learnable prototypes (unit length at every step); Sinkhorn-Knopp (3 iterations,
 * eps 0.05) turns the two global views' scores into codes; every view predicts the code of each
 * global view other than itself (swapped prediction, T = 0.1), and the loss is the mean of those
 * 2 + 2 x localCrops predictions. No negatives and no target network: the equipartition of the
 * codes over the prototypes is what prevents collapse.
 *
 * <p>Micro-batches of a stream are small, so - as SwAV does for small batches - the codes are
 * computed together with a queue of recent features (the learner state's queue, K = queueSize,
 * scored with the current prototypes): the equipartition then holds over B + K features, not B.
 * Both views' features enter the queue.
 *
 * <p>Simplifications: the local crops have the global views' resolution (the encoders take one
 * input size), so multi-crop adds views, not the paper's cheap low-resolution ones; the
 * prototypes are never frozen (the paper freezes them for the first epoch).
 */
final class SwavStep extends ImageMethodStep {

  private final Encoder encoder;
  private final SinkhornKnopp sinkhorn = SinkhornKnopp.swavDefaults();
  private final SwappedPredictionLoss loss;

  /** The small crops; null when {@code swav.localCrops} is 0. */
  private final ImageViews localViews;

  SwavStep(LearnerConfig config) {
    super(config);
    this.encoder = online;
    this.loss = new SwappedPredictionLoss(config.temperature());
    this.localViews = localCropViews(config, config.swav().localCrops());
  }

  @Override
  protected int localCrops() {
    return localViews == null ? 0 : config.swav().localCrops();
  }

  @Override
  protected ImageViews localViews() {
    return localViews;
  }

  @Override
  protected Outcome train(Views in, PhaseClock clock) {
    int n = in.batchSize();
    int views = in.views().length; // 2 global, then the local crops
    encoder.normalizePrototypes();
    Encoder.Forward f = encoder.forwardForTraining(encoder.batch(in.allViews()));
    INDArray z = L2Normalization.unit(rows(f.projection(), 0, 2L * n)); // 2N x d
    INDArray[] scores = new INDArray[views]; // N x K each
    for (int v = 0; v < views; v++) {
      scores[v] = rows(f.prototypeScores(), (long) v * n, (long) (v + 1) * n);
    }
    clock.lap(FORWARD);

    // compute codes of the global views: targets, no gradient
    NegativeQueue queue = in.state().queue();
    INDArray[] codes = {codes(scores[0], queue), codes(scores[1], queue)};
    // swapped prediction: every view predicts each global view's code but its own
    INDArray[] dLossDScores = new INDArray[views];
    double total = 0;
    int predictions = 0;
    for (int v = 0; v < views; v++) {
      for (int g = 0; g < 2; g++) {
        if (g == v) {
          continue;
        }
        SwappedPredictionLoss.Result r = loss.compute(scores[v], codes[g]);
        dLossDScores[v] = dLossDScores[v] == null ? r.dLossDScores()
            : dLossDScores[v].addi(r.dLossDScores());
        total += r.loss();
        predictions++;
      }
    }
    clock.lap(LOSS);

    // the loss is the mean of the predictions, each a mean over N rows
    encoder.backwardAndUpdate(Nd4j.vstack(dLossDScores), in.iteration(), predictions * n);
    clock.lap(BACKWARD);

    long[] ids = new long[2 * n];
    System.arraycopy(in.idHashes(), 0, ids, 0, n);
    System.arraycopy(in.idHashes(), 0, ids, n, n);
    NegativeQueue next = queue.enqueue(FlatArrays.copyOut(z.reshape(z.length())), ids,
        in.state().step());
    clock.lap(QUEUE);
    INDArray z1 = rows(z, 0, n);
    INDArray z2 = rows(z, n, 2L * n);
    return new Outcome(total / predictions, z1.mul(z2).sum(1).meanNumber().doubleValue(),
        Double.NaN, z1, z2, next);
  }

  /** Sinkhorn codes of a view's scores, computed together with the queue's features. */
  private INDArray codes(INDArray scores, NegativeQueue queue) {
    INDArray queued = queue.keysMatrix(); // M x d
    if (queued == null) {
      return sinkhorn.codes(scores);
    }
    INDArray all = Nd4j.vstack(scores, queued.mmul(encoder.prototypes())); // (N + M) x K
    return rows(sinkhorn.codes(all), 0, scores.rows());
  }
}
