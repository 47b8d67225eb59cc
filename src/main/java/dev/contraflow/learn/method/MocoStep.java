package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;
import static dev.contraflow.learn.PhaseClock.Phase.MOMENTUM;
import static dev.contraflow.learn.PhaseClock.Phase.QUEUE;

import dev.contraflow.contrast.InfoNceLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.FlatArrays;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.PhaseClock;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MoCo v2 (He et al. 2020; Chen et al. 2020): queries from the query encoder (training mode), keys
 * from the momentum encoder (inference mode: a key never depends on the rest of its batch, so
 * batch-norm statistics cannot leak which key is the positive - the problem MoCo solves with
 * shuffled BN across GPUs); InfoNCE against the queue; one optimiser step; momentum update; the
 * keys replace the oldest queue entries.
 */
final class MocoStep extends ImageMethodStep {

  private final Encoder queryEncoder;
  private final Encoder keyEncoder;
  private final InfoNceLoss loss;
  private final MomentumUpdate momentum;

  MocoStep(LearnerConfig config) {
    super(config);
    this.queryEncoder = online;
    this.keyEncoder = momentumEncoder;
    this.loss = new InfoNceLoss(config.temperature());
    this.momentum = config.momentum();
  }

  @Override
  protected Outcome train(Views in, PhaseClock clock) {
    // compute query features (training mode; activations kept for backprop)
    L2Normalization.Normalized q = L2Normalization.forward(
        queryEncoder.forwardForTraining(queryEncoder.batch(in.views()[0])).projection()); // B x d
    // compute key features: no gradient to keys
    INDArray k = L2Normalization.unit(keyEncoder.infer(keyEncoder.batch(in.views()[1])).projection());
    clock.lap(FORWARD);

    NegativeQueue queue = in.state().queue();
    InfoNceLoss.Result r = loss.compute(q.unit(), k, queue.keysMatrix(),
        queue.exclusionsFor(in.idHashes())); // logits: B x (1 + K)
    INDArray dLossDz = L2Normalization.backward(r.dLossDQuery(), q);
    clock.lap(LOSS);

    queryEncoder.backwardAndUpdate(dLossDz, in.iteration());
    clock.lap(BACKWARD);

    momentum.apply(keyEncoder.paramsView(), queryEncoder.paramsView(), in.state().step());
    clock.lap(MOMENTUM);

    // dequeue and enqueue
    NegativeQueue next = queue.enqueue(FlatArrays.copyOut(k.reshape(k.length())), in.idHashes(),
        in.state().step());
    clock.lap(QUEUE);
    return new Outcome(r.loss(), r.positiveSimilarity(), r.negativeSimilarity(), q.unit(), k, next);
  }
}
