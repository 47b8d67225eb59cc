package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;
import static dev.contraflow.learn.PhaseClock.Phase.MOMENTUM;

import dev.contraflow.contrast.InfoNceLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.PhaseClock;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MoCo v3 (Chen, Xie and He 2021, Algorithm 1): queries q1, q2 are the online network's
 * predictions of both views, keys k1, k2 the momentum encoder's projections; the loss is
 * symmetric, {@code ctr(q1, k2) + ctr(q2, k1)}, where {@code ctr} is InfoNCE with the batch's
 * other keys as negatives, scaled by 2T (which makes the gradient's size independent of T). No
 * queue: with large batches the paper found it unnecessary.
 *
 * <p>Keys come from the momentum encoder in inference mode, as MoCo v2's do here (see MocoStep);
 * the paper's momentum encoder uses batch statistics.
 */
final class MocoV3Step extends ImageMethodStep {

  private final InfoNceLoss loss;
  private final MomentumUpdate momentum;

  MocoV3Step(LearnerConfig config) {
    super(config);
    this.loss = new InfoNceLoss(config.temperature());
    this.momentum = config.momentum();
  }

  @Override
  protected Outcome train(Views in, PhaseClock clock) {
    int n = in.batchSize();
    float[][] both = in.bothViews();
    // compute queries: predictions of both views, 2N x d
    L2Normalization.Normalized q = L2Normalization.forward(
        online.forwardForTraining(online.batch(both)).prediction());
    // compute keys: no gradient to keys, 2N x d
    INDArray k = L2Normalization.unit(momentumEncoder.infer(momentumEncoder.batch(both))
        .projection());
    clock.lap(FORWARD);

    INDArray q1 = rows(q.unit(), 0, n);
    INDArray q2 = rows(q.unit(), n, 2L * n);
    INDArray k1 = rows(k, 0, n);
    INDArray k2 = rows(k, n, 2L * n);
    // the positive of query i is key i; the batch's other keys are its negatives
    List<InfoNceLoss.Exclusion> sameId = InfoNceLoss.sameIdPairs(in.idHashes(), in.idHashes());
    InfoNceLoss.Result r1 = loss.compute(q1, k2, k2, sameId); // logits: N x (1 + N)
    InfoNceLoss.Result r2 = loss.compute(q2, k1, k1, sameId);
    double scale = 2 * loss.temperature();
    INDArray dLossDq = Nd4j.vstack(r1.dLossDQuery(), r2.dLossDQuery()).muli(scale);
    INDArray dLossDp = L2Normalization.backward(dLossDq, q);
    clock.lap(LOSS);

    // ctr(q1, k2) + ctr(q2, k1): each is a mean over the N records
    online.backwardAndUpdate(dLossDp, in.iteration(), n);
    clock.lap(BACKWARD);

    momentum.apply(momentumEncoder.paramsView(), online.paramsView(), in.state().step());
    clock.lap(MOMENTUM);
    return new Outcome(scale * (r1.loss() + r2.loss()),
        (r1.positiveSimilarity() + r2.positiveSimilarity()) / 2,
        (r1.negativeSimilarity() + r2.negativeSimilarity()) / 2, q1, k2, in.state().queue());
  }
}
