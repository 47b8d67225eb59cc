package dev.contraflow.learn.method;

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
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.PhaseClock;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * InstDisc (Wu et al. 2018): every instance is its own class. The feature v of one augmented view
 * (training mode) is contrasted, with InfoNCE at T = 0.07, against the memory bank: its positive
 * is the bank's entry of the same id, its negatives {@code instDisc.negatives} (default 4096)
 * entries drawn uniformly from the bank (all of it while it holds fewer). The paper uses NCE with
 * 4096 noise samples; the InfoNCE form is the one later work (MoCo) settled on. Then the bank takes
 * v with the proximal update (m = {@code instDisc.bankMomentum}, default 0.5).
 *
 * <p>A record whose id the bank does not hold - first sight, or evicted - has no positive: it adds
 * no loss term and is only stored, and a batch of first sights leaves the encoder as it was. (The
 * paper starts the bank from random vectors, so its first epoch has a meaningless positive; with
 * the feature itself as positive the first pass would be pure repulsion from the bank, which
 * spreads an untrained encoder's features so far that the next pass finds its positives at cosine
 * 0.1 and the method never recovers.) So InstDisc learns from records that come again: the bank,
 * bounded by the configured queue size with FIFO eviction (see {@link MemoryBank}), should hold at
 * least as many ids as come between two sightings of one instance (e.g. the data set size for
 * passes over a data set), or the method learns nothing.
 */
final class InstDiscStep extends ImageMethodStep {

  private final Encoder encoder;
  private final InfoNceLoss loss;
  private final LearnerConfig.InstDisc settings;

  InstDiscStep(LearnerConfig config) {
    super(config);
    this.encoder = online;
    this.loss = new InfoNceLoss(config.temperature());
    this.settings = config.instDisc();
  }

  @Override
  protected Outcome train(Views in, PhaseClock clock) {
    // compute the features of one view: B x d
    L2Normalization.Normalized v = L2Normalization.forward(
        encoder.forwardForTraining(encoder.batch(in.views()[0])).projection());
    clock.lap(FORWARD);

    // only records the bank holds have a positive; first sights are only stored
    MemoryBank bank = new MemoryBank(in.state().queue());
    INDArray positives = bank.features(in.idHashes(), v.unit()); // B x d, no gradient
    int[] seen = seenRows(bank, in.idHashes());
    InfoNceLoss.Result r = seen.length == 0 ? null
        : contrastWithBank(v.unit().getRows(seen), positives.getRows(seen), seen, bank, in);
    clock.lap(LOSS);
    if (r != null) {
      INDArray dLossDUnit = Nd4j.zeros(v.unit().dataType(), v.unit().shape()); // B x d
      for (int i = 0; i < seen.length; i++) {
        dLossDUnit.putRow(seen[i], r.dLossDQuery().getRow(i));
      }
      encoder.backwardAndUpdate(L2Normalization.backward(dLossDUnit, v), in.iteration(),
          seen.length);
    }
    clock.lap(BACKWARD);

    // the bank takes the features computed before this step's update, as in the paper
    MemoryBank next = bank.update(FlatArrays.copyOut(v.unit().reshape(v.unit().length())),
        in.idHashes(), in.state().step(), settings.bankMomentum());
    clock.lap(QUEUE);
    return new Outcome(r == null ? 0 : r.loss(), r == null ? Double.NaN : r.positiveSimilarity(),
        r == null ? Double.NaN : r.negativeSimilarity(), v.unit(), positives, next.storage());
  }

  /**
   * InfoNCE of the seen rows' features (query, n x d) against their bank entries (positives,
   * n x d) and entries sampled from the bank.
   */
  private InfoNceLoss.Result contrastWithBank(INDArray query, INDArray positives, int[] seen,
      MemoryBank bank, Views in) {
    long[] seenIds = new long[seen.length];
    for (int i = 0; i < seen.length; i++) {
      seenIds[i] = in.idHashes()[seen[i]];
    }
    MemoryBank.Negatives negatives = bank.negatives(
        sampleRows(bank.size(), settings.negatives(), in.rng()), seenIds);
    return loss.compute(query, positives, negatives.features(),
        negatives.exclusions()); // logits: n x (1 + K)
  }

  /** The batch rows whose id the bank holds: the records seen before, which have a positive. */
  private static int[] seenRows(MemoryBank bank, long[] idHashes) {
    return IntStream.range(0, idHashes.length)
        .filter(i -> bank.holds(idHashes[i])).toArray();
  }

  /** All rows while the bank holds at most {@code n}, else n drawn with replacement. */
  private static int[] sampleRows(int size, int n, Rng rng) {
    int[] rows = new int[Math.min(size, n)];
    for (int j = 0; j < rows.length; j++) {
      rows[j] = size <= n ? j : rng.nextInt(size);
    }
    return rows;
  }
}
