package dev.contraflow.learn;

import dev.contraflow.augment.ImageViews;
import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.InfoNceLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.FlatArrays;
import dev.contraflow.io.Image;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Online MoCo (He et al. 2020; v2 recipe, Chen et al. 2020): one training step per micro-batch.
 *
 * <p>{@code step(state, batch) -> (state', embeddings, metrics)} is a function of its inputs: the
 * learner keeps two DL4J networks only as scratch space and loads them from the state it is given.
 * The same state and batch always give the same result, whoever calls it - the Flink job, the
 * benchmark or a replay.
 *
 * <p>Per step: two augmented views of each record; queries from the query encoder (training mode),
 * keys from the momentum encoder (inference mode: a key never depends on the rest of its batch, so
 * batch-norm statistics cannot leak which key is the positive - the problem MoCo solves with
 * shuffled BN across GPUs); InfoNCE against the queue; one optimiser step; momentum update; the
 * keys replace the oldest queue entries.
 *
 * <p>Not thread-safe.
 */
public final class Learner {

  private static final int EMBED_CHUNK = 500;

  private final LearnerConfig config;
  private final Encoder queryEncoder;
  private final Encoder keyEncoder;
  private final ImageViews views;
  private final ImageViews plain;
  private final InfoNceLoss loss;
  /** The state the networks currently hold; a step from it needs no reload. */
  private LearnerState loaded;

  public Learner(LearnerConfig config) {
    this.config = config;
    EncoderConfig e = config.encoder();
    this.queryEncoder = Encoder.create(e, config.optimizer());
    this.keyEncoder = Encoder.create(e, config.optimizer());
    this.views = ImageViews.mocoV2(e.height(), e.width(), config.cropScaleMin());
    this.plain = ImageViews.none(e.height(), e.width());
    this.loss = new InfoNceLoss(config.temperature());
  }

  public LearnerConfig config() {
    return config;
  }

  /** Step 0: freshly initialised encoder, key encoder equal to it (MoCo), empty queue. */
  public LearnerState initialState() {
    Encoder fresh = Encoder.create(config.encoder(), config.optimizer());
    float[] params = fresh.params();
    return new LearnerState(0, config.seed(), params, fresh.updaterState(), params.clone(),
        NegativeQueue.empty(config.queueSize(), config.encoder().projectionDim()));
  }

  /** One training step on a micro-batch. */
  public StepResult step(LearnerState state, Batch batch) {
    long started = System.nanoTime();
    load(state);
    int b = batch.size();
    long[] idHashes = idHashes(batch.images());
    Rng rng = new Rng(state.rngState());

    long t0 = System.nanoTime();
    float[][][] views = twoViews(batch.images(), rng); // [query, key][record] -> pixels

    // compute query features (training mode; activations kept for backprop)
    long t1 = System.nanoTime();
    L2Normalization.Normalized q = L2Normalization.forward(
        queryEncoder.forwardForTraining(queryEncoder.batch(views[0])).projection()); // B x d
    // compute key features: no gradient to keys
    INDArray k = L2Normalization.unit(keyEncoder.infer(keyEncoder.batch(views[1])).projection());

    long t2 = System.nanoTime();
    NegativeQueue queue = state.queue();
    InfoNceLoss.Result r = loss.compute(q.unit(), k, queue.keysMatrix(),
        queue.exclusionsFor(idHashes)); // logits: B x (1 + K)
    INDArray dLossDz = L2Normalization.backward(r.dLossDQuery(), q);

    long t3 = System.nanoTime();
    queryEncoder.backwardAndUpdate(dLossDz, (int) state.step());

    long t4 = System.nanoTime();
    config.momentum().apply(keyEncoder.paramsView(), queryEncoder.paramsView(), state.step());

    // dequeue and enqueue
    long t5 = System.nanoTime();
    long next = state.step() + 1;
    NegativeQueue nextQueue = queue.enqueue(FlatArrays.copyOut(k.reshape(k.length())), idHashes,
        state.step());

    long t6 = System.nanoTime();
    List<Embedding> embeddings = batch.emitEmbeddings()
        ? embedWithKeyEncoder(batch.images(), next) : List.of();

    long t7 = System.nanoTime();
    LearnerState nextState = LearnerState.capture(next, rng.state(), queryEncoder, keyEncoder,
        nextQueue);
    loaded = nextState;
    long t8 = System.nanoTime();

    StepTimings timings = new StepTimings(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5,
        t7 - t6, (t8 - t7) + (t0 - started));
    return new StepResult(nextState, embeddings,
        StepMetrics.of(nextState, r.loss(), r.positiveSimilarity(), r.negativeSimilarity(),
            q.unit(), k, b * 1e9 / (t8 - started), timings));
  }

  /** Two views of every record, each from its own split of the learner's random stream. */
  private float[][][] twoViews(List<Image> images, Rng rng) {
    float[][][] out = new float[2][images.size()][];
    for (int i = 0; i < images.size(); i++) {
      Image[] two = views.twoViews(checked(images.get(i)), rng.split());
      out[0][i] = two[0].pixels();
      out[1][i] = two[1].pixels();
    }
    return out;
  }

  /** Embeddings of the given images by the state's key encoder, without training. */
  public List<Embedding> embed(LearnerState state, List<Image> images) {
    load(state);
    return embedWithKeyEncoder(images, state.step());
  }

  /** The vectors of any number of images, embedded a few hundred at a time (bounded memory). */
  public float[][] embedAll(LearnerState state, List<Image> images) {
    return Embedding.vectorsInChunks(images, EMBED_CHUNK, chunk -> embed(state, chunk));
  }

  private List<Embedding> embedWithKeyEncoder(List<Image> images, long version) {
    float[][] pixels = new float[images.size()][];
    Rng unused = new Rng(0); // plain resize draws nothing
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = plain.view(checked(images.get(i)), unused).pixels();
    }
    INDArray rep = L2Normalization.unit(keyEncoder.infer(keyEncoder.batch(pixels)).representation());
    List<String> ids = new ArrayList<>(images.size());
    for (Image image : images) {
      ids.add(image.id());
    }
    return Embedding.ofRows(ids, rep, version);
  }

  private void load(LearnerState state) {
    if (state == loaded) {
      return; // the networks already hold exactly this state
    }
    state.loadInto(queryEncoder, keyEncoder);
    loaded = state;
  }

  private Image checked(Image image) {
    if (image.channels() != config.encoder().channels()) {
      throw new IllegalArgumentException("image " + image.id() + " has " + image.channels()
          + " channel(s) but the encoder takes " + config.encoder().channels());
    }
    return image;
  }

  private static long[] idHashes(List<Image> images) {
    return NegativeQueue.idHashes(images.stream().map(Image::id).toList());
  }
}
