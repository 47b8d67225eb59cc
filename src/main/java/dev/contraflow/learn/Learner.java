package dev.contraflow.learn;

import static dev.contraflow.learn.PhaseClock.Phase.AUGMENT;
import static dev.contraflow.learn.PhaseClock.Phase.EMBED;
import static dev.contraflow.learn.PhaseClock.Phase.STATE_COPY;

import dev.contraflow.augment.ImageViews;
import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.NativeMemory;
import dev.contraflow.io.Image;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Online self-supervised learning on images: one training step per micro-batch, by the method the
 * configuration names (MoCo v2 by default; SimCLR, MoCo v3, BYOL, SimSiam, InstDisc, SwAV - see
 * {@link Method} and the {@link MethodStep} implementations).
 *
 * <p>{@code step(state, batch) -> (state', embeddings, metrics)} is a function of its inputs: the
 * learner keeps its DL4J networks only as scratch space and loads them from the state it is given.
 * The same state and batch always give the same result, whoever calls it - the Flink job, the
 * benchmark or a replay.
 *
 * <p>Per step: two augmented views of each record (MoCo v2 augmentation for every method), the
 * method's loss and updates, then the embeddings of the records by the momentum (key / target)
 * encoder, or by the online encoder for methods without one.
 *
 * <p>Not thread-safe.
 */
public final class Learner {

  private static final int EMBED_CHUNK = 500;

  private final LearnerConfig config;
  /** The encoder the optimiser trains (MoCo's query encoder). */
  private final Encoder online;
  /** The momentum (EMA) encoder: MoCo's key encoder, BYOL's target; null for other methods. */
  private final Encoder momentumEncoder;
  private final MethodStep method;
  private final ImageViews views;
  /** SwAV's small crops (multi-crop); null for other methods. */
  private final ImageViews localViews;
  private final ImageViews plain;
  /** The state the networks currently hold; a step from it needs no reload. */
  private LearnerState loaded;

  public Learner(LearnerConfig config) {
    this.config = config;
    Method m = config.method();
    this.online = newEncoder(config);
    this.momentumEncoder = m.hasMomentumEncoder() ? newEncoder(config) : null;
    this.method = switch (m) {
      case MOCO -> new MocoStep(online, momentumEncoder, config);
      case SIMCLR -> new SimClrStep(online, config);
      case MOCO_V3 -> new MocoV3Step(online, momentumEncoder, config);
      case BYOL, SIMSIAM -> new PredictionStep(online, momentumEncoder, config);
      case INSTDISC -> new InstDiscStep(online, config);
      case SWAV -> new SwavStep(online, config);
      case SIMCSE, ESIMCSE, CONSERT -> throw new IllegalArgumentException(
          m + " learns from sentences; use SentenceLearner");
    };
    EncoderConfig e = config.encoder();
    this.views = ImageViews.mocoV2(e.height(), e.width(), config.cropScaleMin());
    this.localViews = m == Method.SWAV && config.swav().localCrops() > 0
        ? new ImageViews(ImageViews.Config.mocoV2(e.height(), e.width())
            .withCropScale(SwavStep.LOCAL_SCALE_MIN, config.cropScaleMin()))
        : null;
    this.plain = ImageViews.none(e.height(), e.width());
  }

  /**
   * The method's network: with a predictor as wide as the projection head's hidden layer, or with
   * SwAV's prototypes.
   */
  private static Encoder newEncoder(LearnerConfig config) {
    EncoderConfig e = config.encoder();
    return Encoder.create(e, config.optimizer(),
        config.method().hasPredictor() ? e.projectionHidden() : 0,
        config.method() == Method.SWAV ? config.swav().prototypes() : 0);
  }

  public LearnerConfig config() {
    return config;
  }

  /** Views each record gives a training step: 2, plus SwAV's local crops. */
  int viewsPerRecord() {
    return 2 + (localViews == null ? 0 : config.swav().localCrops());
  }

  /**
   * Step 0: freshly initialised encoder, momentum encoder equal to it (none: an empty array),
   * empty queue or memory bank (methods without one keep a queue of one unused entry).
   */
  public LearnerState initialState() {
    Encoder fresh = newEncoder(config);
    float[] params = fresh.params();
    int queueSize = config.method().usesQueue() ? config.queueSize() : 1;
    return new LearnerState(0, config.seed(), params, fresh.updaterState(),
        config.method().hasMomentumEncoder() ? params.clone() : new float[0],
        NegativeQueue.empty(queueSize, config.encoder().projectionDim()));
  }

  /** One training step on a micro-batch. */
  public StepResult step(LearnerState state, Batch batch) {
    // the step's arrays are scratch: the result holds only Java arrays and numbers
    try (NativeMemory.Step scratch = NativeMemory.step()) {
      return stepInScratch(state, batch);
    }
  }

  private StepResult stepInScratch(LearnerState state, Batch batch) {
    PhaseClock clock = new PhaseClock();
    load(state);
    long[] idHashes = idHashes(batch.images());
    Rng rng = new Rng(state.rngState());
    clock.lap(STATE_COPY);

    float[][][] views = views(batch.images(), rng); // [view][record] -> pixels
    clock.lap(AUGMENT);

    MethodStep.Outcome o = method.train(new MethodStep.Input(state, views, idHashes, rng), clock);

    long next = state.step() + 1;
    List<Embedding> embeddings = batch.emitEmbeddings()
        ? embedWithTrainedEncoder(batch.images(), next) : List.of();
    clock.lap(EMBED);

    LearnerState nextState = LearnerState.capture(next, rng.state(), online, momentumEncoder,
        o.queue());
    loaded = nextState;
    clock.lap(STATE_COPY);

    return new StepResult(nextState, embeddings,
        StepMetrics.of(nextState, o.loss(), o.positiveSimilarity(), o.negativeSimilarity(),
            o.q(), o.k(), batch.size() * 1e9 / clock.elapsedNanos(), clock.timings()));
  }

  /**
   * Two views of every record, each from its own split of the learner's random stream; for SwAV
   * then {@code swav.localCrops} small crops of every record, from further splits.
   */
  private float[][][] views(List<Image> images, Rng rng) {
    int local = localViews == null ? 0 : config.swav().localCrops();
    float[][][] out = new float[2 + local][images.size()][];
    for (int i = 0; i < images.size(); i++) {
      Image[] two = views.twoViews(checked(images.get(i)), rng.split());
      out[0][i] = two[0].pixels();
      out[1][i] = two[1].pixels();
    }
    for (int i = 0; i < images.size() && local > 0; i++) {
      Rng own = rng.split();
      for (int v = 0; v < local; v++) {
        out[2 + v][i] = localViews.view(images.get(i), own.split()).pixels();
      }
    }
    return out;
  }

  /**
   * Embeddings of the given images, without training, by the state's momentum encoder (or the
   * online encoder for methods without one).
   */
  public List<Embedding> embed(LearnerState state, List<Image> images) {
    try (NativeMemory.Step scratch = NativeMemory.step()) {
      load(state);
      return embedWithTrainedEncoder(images, state.step());
    }
  }

  /** The vectors of any number of images, embedded a few hundred at a time (bounded memory). */
  public float[][] embedAll(LearnerState state, List<Image> images) {
    return Embedding.vectorsInChunks(images, EMBED_CHUNK, chunk -> embed(state, chunk));
  }

  private List<Embedding> embedWithTrainedEncoder(List<Image> images, long version) {
    Encoder encoder = momentumEncoder != null ? momentumEncoder : online;
    float[][] pixels = new float[images.size()][];
    Rng unused = new Rng(0); // plain resize draws nothing
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = plain.view(checked(images.get(i)), unused).pixels();
    }
    INDArray rep = L2Normalization.unit(encoder.infer(encoder.batch(pixels)).representation());
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
    state.loadInto(online, momentumEncoder);
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
