package dev.contraflow.learn;

import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;
import static dev.contraflow.learn.PhaseClock.Phase.QUEUE;

import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.InfoNceLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.MemoryBank;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.FlatArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * InstDisc (Wu et al. 2018): every instance is its own class. The feature v of one augmented view
 * (training mode) is contrasted, with InfoNCE at T = 0.07, against the memory bank: its positive
 * is the bank's entry of the same id, its negatives {@value #NEGATIVES} entries drawn uniformly
 * from the bank (all of it while it holds fewer). The paper uses NCE with 4096 noise samples; the
 * InfoNCE form is the one later work (MoCo) settled on. Then the bank takes v with the proximal
 * update (m = {@value #BANK_MOMENTUM}).
 *
 * <p>The bank is bounded by the configured queue size (FIFO eviction, see {@link MemoryBank}). An
 * id it does not hold - first sight, or evicted - has its own (detached) feature as positive: the
 * step only pushes it away from the negatives, then stores it. So the bank should hold at least as
 * many ids as come between two sightings of one instance (e.g. the data set size for passes over
 * a data set), or the method never sees a positive.
 */
final class InstDiscStep implements MethodStep {

  /** Negatives drawn from the bank per step (InstDisc: 4096). */
  static final int NEGATIVES = 4096;
  /** The memory bank's proximal momentum (InstDisc: 0.5). */
  static final double BANK_MOMENTUM = 0.5;

  private final Encoder encoder;
  private final InfoNceLoss loss;

  InstDiscStep(Encoder encoder, LearnerConfig config) {
    this.encoder = encoder;
    this.loss = new InfoNceLoss(config.temperature());
  }

  @Override
  public Outcome train(Input in, PhaseClock clock) {
    L2Normalization.Normalized v = L2Normalization.forward(
        encoder.forwardForTraining(encoder.batch(in.views()[0])).projection()); // B x d
    clock.lap(FORWARD);

    MemoryBank bank = new MemoryBank(in.state().queue());
    INDArray positives = bank.features(in.idHashes(), v.unit()); // B x d, no gradient
    MemoryBank.Negatives negatives = bank.negatives(sampleRows(bank.size(), in.rng()),
        in.idHashes());
    InfoNceLoss.Result r = loss.compute(v.unit(), positives, negatives.features(),
        negatives.exclusions()); // logits: B x (1 + K)
    INDArray dLossDz = L2Normalization.backward(r.dLossDQuery(), v);
    clock.lap(LOSS);

    encoder.backwardAndUpdate(dLossDz, in.iteration());
    clock.lap(BACKWARD);

    // the bank takes the features computed before this step's update, as in the paper
    MemoryBank next = bank.update(FlatArrays.copyOut(v.unit().reshape(v.unit().length())),
        in.idHashes(), in.state().step(), BANK_MOMENTUM);
    clock.lap(QUEUE);
    return new Outcome(r.loss(), r.positiveSimilarity(), r.negativeSimilarity(), v.unit(),
        positives, next.storage());
  }

  /** All rows while the bank holds at most NEGATIVES, else NEGATIVES drawn with replacement. */
  private static int[] sampleRows(int size, Rng rng) {
    int[] rows = new int[Math.min(size, NEGATIVES)];
    for (int j = 0; j < rows.length; j++) {
      rows[j] = size <= NEGATIVES ? j : rng.nextInt(size);
    }
    return rows;
  }
}
