package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;

import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.NtXentLoss;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.PhaseClock;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SimCLR (Chen et al. 2020) / InvaSpread (Ye et al. 2019): both views of every record through the
 * one encoder in a single training-mode pass (2N rows, so batch norm sees both views, as in
 * SimCLR), NT-Xent over the 2N views; no momentum encoder and no queue, so the negatives are the
 * batch's own (2N - 2 per view) and small micro-batches give few of them.
 */
final class SimClrStep extends ImageMethodStep {

  private final Encoder encoder;
  private final NtXentLoss loss;

  SimClrStep(LearnerConfig config) {
    super(config);
    this.encoder = online;
    this.loss = new NtXentLoss(config.temperature());
  }

  @Override
  protected Outcome train(Views in, PhaseClock clock) {
    int n = in.batchSize();
    L2Normalization.Normalized z = L2Normalization.forward(
        encoder.forwardForTraining(encoder.batch(in.bothViews())).projection()); // 2N x d
    clock.lap(FORWARD);

    NtXentLoss.Result r = loss.compute(z.unit(), in.idHashes()); // logits: 2N x 2N
    INDArray dLossDz = L2Normalization.backward(r.dLossDz(), z);
    clock.lap(LOSS);

    // the loss is the mean over 2N anchors
    encoder.backwardAndUpdate(dLossDz, in.iteration(), 2 * n);
    clock.lap(BACKWARD);
    return new Outcome(r.loss(), r.positiveSimilarity(), r.negativeSimilarity(),
        rows(z.unit(), 0, n), rows(z.unit(), n, 2L * n), in.state().queue());
  }
}
