package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;
import static dev.contraflow.learn.PhaseClock.Phase.MOMENTUM;

import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.contrast.NegativeCosineLoss;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.PhaseClock;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BYOL (Grill et al. 2020) and SimSiam (Chen and He 2021): the online network's prediction of one
 * view regresses the target projection of the other view, symmetrised over both views, with no
 * negatives at all.
 *
 * <ul>
 *   <li>BYOL: the target is an EMA copy of the online network, run with batch statistics as in
 *       the paper (with its running statistics the tiny test nets collapsed sooner); loss
 *       {@code L + L~}, each the mean of 2 - 2cos, so in [0, 8].
 *   <li>SimSiam: the target is the online network's own projection of the other view from the
 *       same pass, with the gradient stopped; loss {@code D(p1, z2) / 2 + D(p2, z1) / 2} with
 *       D = -cos, so in [-1, 1] (-1: perfectly predicted).
 * </ul>
 *
 * Without negatives a constant output is a trivial minimiser; watch the embedding std metric
 * (about 1/sqrt(d) healthy, towards 0 collapsed).
 */
final class PredictionStep extends ImageMethodStep {

  /** BYOL's EMA target; null for SimSiam. */
  private final Encoder target;
  private final MomentumUpdate momentum;

  PredictionStep(LearnerConfig config) {
    super(config);
    this.target = momentumEncoder;
    this.momentum = config.momentum();
  }

  @Override
  protected Outcome train(Views in, PhaseClock clock) {
    int n = in.batchSize();
    float[][] both = in.bothViews();
    Encoder.Forward f = online.forwardForTraining(online.batch(both)); // 2N rows
    // targets: no gradient (EMA network, or stop-gradient on the online projections)
    INDArray z = target != null
        ? target.forwardForTraining(target.batch(both)).projection()
        : f.projection().dup();
    INDArray zOnline = L2Normalization.unit(f.projection());
    clock.lap(FORWARD);

    // p1 regresses z2 and p2 regresses z1
    NegativeCosineLoss.Result r = NegativeCosineLoss.compute(f.prediction(),
        swapHalves(z));
    // mean over 2N rows of l = 2 - 2cos: BYOL's L + L~ = 2 mean; SimSiam's = mean / 2 - 1
    double lossValue = target != null ? 2 * r.loss() : r.loss() / 2 - 1;
    double gradientScale = target != null ? 1.0 : 0.25; // d(loss)/d(sum of l) times N
    INDArray dLossDp = r.dLossDPrediction().muli(gradientScale);
    clock.lap(LOSS);

    online.backwardAndUpdate(dLossDp, in.iteration(), n);
    clock.lap(BACKWARD);

    if (target != null) {
      momentum.apply(target.paramsView(), online.paramsView(), in.state().step());
    }
    clock.lap(MOMENTUM);
    return new Outcome(lossValue, r.meanCosine(), Double.NaN, rows(zOnline, 0, n),
        rows(zOnline, n, 2L * n), in.state().queue());
  }
}
