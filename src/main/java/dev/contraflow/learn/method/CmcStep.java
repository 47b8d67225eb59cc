package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;
import static dev.contraflow.learn.PhaseClock.Phase.MOMENTUM;
import static dev.contraflow.learn.PhaseClock.Phase.QUEUE;

import dev.contraflow.augment.ImageAugmentation;
import dev.contraflow.augment.Rng;
import dev.contraflow.augment.ViewFamily;
import dev.contraflow.contrast.CmcLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.encoder.FlatArrays;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.PhaseClock;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * CMC (Tian, Krishnan and Isola, "Contrastive Multiview Coding", ECCV 2020): each record gives V
 * = {@code cmc.views} views, one from each of the first V {@link ViewFamily view families}
 * (geometric, photometric, erasing: a greyscale image has no L / ab split, so the families stand
 * for the paper's modalities), and the loss contrasts every pair of views ({@link CmcLoss}, the
 * paper's full graph, or the core view against the others with {@code cmc.graph CORE}): the
 * feature of view i must pick the same record's view j out of view j's negatives.
 *
 * <p>Choices, against the paper:
 *
 * <ul>
 *   <li>One encoder shared by the views, not one per view: the views share their input space
 *       (one grey channel at one size), and one pass over a stream split across V networks would
 *       give each a third of the updates. The views still keep separate negatives.
 *   <li>Negatives from a MoCo-style queue per view (the last {@code queueSize} keys of that
 *       view, from a momentum key encoder in inference mode, EMA {@code momentum}) instead of
 *       the paper's memory bank (one entry per instance, momentum 0.5): a bank's positive exists
 *       only for a record seen before, and a stream shows most records once (see {@link
 *       InstDiscStep}). The V queues live side by side in the learner state's one queue - an
 *       entry holds a record's V keys, [k_1 | ... | k_V] - so they fill, age and exclude a
 *       record's own entries together, and the state layout is MoCo's with V d wide entries.
 *   <li>The softmax (InfoNCE) form of the loss, which the paper finds better than NCE, averaged
 *       over the directed terms rather than summed (the sum only rescales the learning rate).
 * </ul>
 *
 * <p>Queries come from one training-mode pass of the online encoder over all V N views (batch
 * statistics over every view, as SimCLR's pass over 2N), keys from the momentum encoder in
 * inference mode, as MoCo's. Embeddings come from the momentum encoder.
 */
final class CmcStep extends ImageMethodStep {

  private final LearnerConfig.Cmc settings;
  /** One recipe per view, in view order. */
  private final List<ImageAugmentation> recipes;
  private final CmcLoss loss;
  private final MomentumUpdate momentum;

  CmcStep(LearnerConfig config) {
    super(config);
    this.settings = config.cmc();
    this.recipes = ViewFamily.first(settings.views()).stream()
        .map(f -> f.recipe(config.encoder().height(), config.encoder().width(),
            config.cropScaleMin(), settings.cropEveryView()))
        .toList();
    this.loss = new CmcLoss(config.temperature(), settings.graph());
    this.momentum = config.momentum();
  }

  @Override
  public int viewsPerRecord() {
    return settings.views();
  }

  /** A queue entry holds one key per view: V x d values. */
  @Override
  protected int queueKeyDim() {
    return settings.views() * config.encoder().projectionDim();
  }

  /**
   * V views of every record: each record takes its own split of the learner's random stream,
   * and each of its views a further split, in view order; the records over ranges shared by the
   * cores, as {@link ImageMethodStep#views} does.
   */
  @Override
  protected float[][][] views(List<Image> images, Rng rng) {
    int n = images.size();
    float[][][] out = new float[recipes.size()][n][];
    Rng[] own = splits(rng, n);
    perRecord(n, (long) n * recipes.size() * config.encoder().inputSize(), i -> {
      Image image = checked(images.get(i));
      for (int v = 0; v < recipes.size(); v++) {
        out[v][i] = recipes.get(v).apply(image, own[i].split()).pixels();
      }
    });
    return out;
  }

  @Override
  protected Outcome train(Views in, PhaseClock clock) {
    int n = in.batchSize();
    int views = settings.views();
    long d = config.encoder().projectionDim();
    float[][] all = in.allViews(); // view by view: V N rows
    // compute query features of every view (training mode; activations kept for backprop)
    L2Normalization.Normalized z = L2Normalization.forward(
        online.forwardForTraining(online.batch(all)).projection()); // VN x d
    // compute key features of every view: no gradient to keys
    INDArray keys = L2Normalization.unit(
        momentumEncoder.infer(momentumEncoder.batch(all)).projection()); // VN x d
    clock.lap(FORWARD);

    NegativeQueue queue = in.state().queue();
    INDArray stored = queue.keysMatrix(); // fill x Vd, null while empty
    INDArray[] q = new INDArray[views];
    INDArray[] k = new INDArray[views];
    INDArray[] negatives = new INDArray[views];
    for (int v = 0; v < views; v++) {
      q[v] = rows(z.unit(), (long) v * n, (long) (v + 1) * n); // N x d
      k[v] = rows(keys, (long) v * n, (long) (v + 1) * n); // N x d
      negatives[v] = stored == null ? null // fill x d: view v's queue
          : stored.get(NDArrayIndex.all(), NDArrayIndex.interval(v * d, (v + 1) * d)).dup();
    }
    CmcLoss.Result r = loss.compute(q, k, negatives, queue.exclusionsFor(in.idHashes()));
    INDArray dLossDz = L2Normalization.backward(Nd4j.vstack(r.dLossDQuery()), z); // VN x d
    clock.lap(LOSS);

    // the loss is the mean of the directed terms, each a mean over N rows
    online.backwardAndUpdate(dLossDz, in.iteration(), r.pairs() * n);
    clock.lap(BACKWARD);

    momentum.apply(momentumEncoder.paramsView(), online.paramsView(), in.state().step());
    clock.lap(MOMENTUM);

    // dequeue and enqueue: a record's V keys side by side, [k_1 | ... | k_V]
    INDArray entries = Nd4j.hstack(k); // N x Vd
    NegativeQueue next = queue.enqueue(FlatArrays.copyOut(entries.reshape(entries.length())),
        in.idHashes(), in.state().step());
    clock.lap(QUEUE);
    // the geometry metrics (alignment, uniformity, std) read view 1's queries and their view 2
    // positives, as MoCo's read queries and keys
    return new Outcome(r.loss(), r.positiveSimilarity(), r.negativeSimilarity(), q[0], k[1],
        next);
  }
}
