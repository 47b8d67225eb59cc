package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.AUGMENT;

import dev.contraflow.augment.ImageViews;
import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.FixedRanges;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.Method;
import dev.contraflow.learn.Networks;
import dev.contraflow.learn.Output;
import dev.contraflow.learn.PhaseClock;
import dev.contraflow.learn.replay.ReplayInputs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What the image methods share (MoCo v2 by default; SimCLR, MoCo v3, BYOL, SimSiam, InstDisc,
 * SwAV): the online encoder and, for methods with one, its momentum copy; two augmented views of
 * each record (MoCo v2 augmentation for every method; SwAV adds small crops); embeddings by the
 * momentum (key / target) encoder, or by the online encoder for methods without one. A method
 * fills in {@link #train(Views, PhaseClock)}: its loss and updates.
 */
public abstract class ImageMethodStep implements MethodStep<Image> {

  /** Smallest area fraction of a multi-crop local crop (SwAV and DINO: 0.05). */
  static final double LOCAL_SCALE_MIN = 0.05;

  protected final LearnerConfig config;
  /** The encoder the optimiser trains (MoCo's query encoder). */
  protected final Encoder online;
  /** The momentum (EMA) encoder: MoCo's key encoder, BYOL's target; null for other methods. */
  protected final Encoder momentumEncoder;
  private final Networks networks;
  private final ImageViews views;
  private final ImageViews plain;

  protected ImageMethodStep(LearnerConfig config) {
    this.config = config;
    this.online = newEncoder(config);
    this.momentumEncoder = config.method().hasMomentumEncoder() ? newEncoder(config) : null;
    this.networks = new Networks().trained(LearnerState.ONLINE, online);
    if (momentumEncoder != null) {
      networks.untrained(LearnerState.MOMENTUM, momentumEncoder);
    }
    EncoderConfig e = config.encoder();
    this.views = ImageViews.mocoV2(e.height(), e.width(), config.cropScaleMin());
    this.plain = ImageViews.none(e.height(), e.width());
  }

  /** The image method the configuration names. */
  public static ImageMethodStep of(LearnerConfig config) {
    Method m = config.method();
    return switch (m) {
      case MOCO -> new MocoStep(config);
      case SIMCLR -> new SimClrStep(config);
      case MOCO_V3 -> new MocoV3Step(config);
      case BYOL, SIMSIAM -> new PredictionStep(config);
      case INSTDISC -> new InstDiscStep(config);
      case SWAV -> new SwavStep(config);
      case DINO -> new DinoStep(config);
      case CMC -> new CmcStep(config);
      case SIMCSE, ESIMCSE, CONSERT, CPC -> throw new IllegalArgumentException(
          m + " learns from sentences; use Learner.sentences");
    };
  }

  /**
   * The method's network: with a predictor as wide as the projection head's hidden layer, or with
   * SwAV's prototypes, or with DINO's weight-normalised last layer (the same layer: unit columns
   * scoring the L2-normalised projection).
   */
  private static Encoder newEncoder(LearnerConfig config) {
    EncoderConfig e = config.encoder();
    return Encoder.create(e, config.optimizer(),
        config.method().hasPredictor() ? e.projectionHidden() : 0,
        switch (config.method()) {
          case SWAV -> config.swav().prototypes();
          case DINO -> config.dino().outputDim();
          default -> 0;
        });
  }

  @Override
  public int batchSize() {
    return config.batchSize();
  }

  @Override
  public final Networks networks() {
    return networks;
  }

  /**
   * Step 0: freshly initialised encoder, momentum encoder equal to it, empty queue or memory bank
   * for the methods with one.
   */
  @Override
  public LearnerState initialState() {
    Encoder fresh = newEncoder(config);
    float[] params = fresh.params();
    Networks initial = new Networks().trained(LearnerState.ONLINE, fresh);
    Map<String, LearnerState.Network> blocks = initial.capture();
    if (config.method().hasMomentumEncoder()) {
      blocks.put(LearnerState.MOMENTUM, new LearnerState.Network(params.clone(), new float[0]));
    }
    NegativeQueue queue = config.method().usesQueue()
        ? NegativeQueue.empty(config.queueSize(), queueKeyDim()) : null;
    return new LearnerState(0, config.seed(), blocks, queue, null);
  }

  /** Values per queue entry: one projection (CMC keeps one per view side by side). */
  protected int queueKeyDim() {
    return config.encoder().projectionDim();
  }

  @Override
  public final Outcome train(Input<Image> in, PhaseClock clock) {
    long[] idHashes = NegativeQueue.idHashes(in.batch().stream().map(Image::id).toList());
    float[][][] v = views(in.batch(), in.rng()); // [view][record] -> pixels
    clock.lap(AUGMENT);
    return train(new Views(in.state(), v, idHashes, in.rng()), clock);
  }

  /** The method's loss and updates, on the views the frame drew. */
  protected abstract Outcome train(Views in, PhaseClock clock);

  /** Views each record gives a training step: 2, plus SwAV's and DINO's local crops (CMC: V). */
  public int viewsPerRecord() {
    return 2 + localCrops();
  }

  /**
   * Small crops of each record beyond the two views (SwAV's and DINO's multi-crop); 0 for the
   * others.
   */
  protected int localCrops() {
    return 0;
  }

  /** SwAV's and DINO's small crops; null for the other methods. */
  protected ImageViews localViews() {
    return null;
  }

  /**
   * Multi-crop's small crops (SwAV, DINO): area fraction {@value #LOCAL_SCALE_MIN} up to where
   * the global crops start, {@code cropScaleMin} (as SwAV's 0.05-0.14 local against 0.14-1 global
   * crops, DINO's 0.05-0.4 against 0.4-1), at the global views' resolution; null for none.
   */
  static ImageViews localCropViews(LearnerConfig config, int localCrops) {
    EncoderConfig e = config.encoder();
    return localCrops > 0
        ? new ImageViews(ImageViews.Config.mocoV2(e.height(), e.width())
            .withCropScale(LOCAL_SCALE_MIN, config.cropScaleMin()))
        : null;
  }

  /**
   * Two views of every record, each from its own split of the learner's random stream; for SwAV
   * then {@code swav.localCrops} small crops of every record, from further splits. A method with
   * views of its own (CMC) overrides this: [view][record] -> pixels. The splits are drawn in
   * record order first, then the records are augmented over ranges shared by the cores ({@link
   * #perRecord}): each view depends on its own split alone, so the views are the same however the
   * records are shared.
   */
  protected float[][][] views(List<Image> images, Rng rng) {
    int local = localCrops();
    int n = images.size();
    float[][][] out = new float[2 + local][n][];
    Rng[] own = splits(rng, n);
    Rng[] localOwn = local > 0 ? splits(rng, n) : null;
    ImageViews localViews = localViews();
    perRecord(n, (long) n * (2 + local) * config.encoder().inputSize(), i -> {
      Image[] two = views.twoViews(checked(images.get(i)), own[i]);
      out[0][i] = two[0].pixels();
      out[1][i] = two[1].pixels();
      for (int v = 0; v < local; v++) {
        out[2 + v][i] = localViews.view(images.get(i), localOwn[i].split()).pixels();
      }
    });
    return out;
  }

  /** n splits of {@code rng}, in order: one per record. */
  protected static Rng[] splits(Rng rng, int n) {
    Rng[] out = new Rng[n];
    for (int i = 0; i < n; i++) {
      out[i] = rng.split();
    }
    return out;
  }

  /**
   * {@code record.accept(i)} for every record i of n, over record ranges shared by the cores
   * ({@link FixedRanges}): augmentation was ~9% of the MoCo v2 step on one thread (issue 20).
   *
   * @param values how many pixel values the views take, to judge whether sharing pays
   */
  protected static void perRecord(int n, long values, IntConsumer record) {
    FixedRanges ranges = FixedRanges.of(n);
    ranges.forEach(values, r -> {
      for (int i = ranges.from(r); i < ranges.to(r); i++) {
        record.accept(i);
      }
    });
  }

  /** Embeddings by the momentum encoder, or by the online encoder for methods without one. */
  @Override
  public final List<Output> embed(List<Image> images, long version) {
    Encoder encoder = momentumEncoder != null ? momentumEncoder : online;
    float[][] pixels = new float[images.size()][];
    Rng unused = new Rng(0); // plain resize draws nothing
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = plain.view(checked(images.get(i)), unused).pixels();
    }
    INDArray rep = L2Normalization.unit(encoder.infer(encoder.batch(pixels)).representation());
    List<String> ids = images.stream().map(Image::id).toList();
    List<Embedding> embeddings = Embedding.ofRows(ids, rep, version);
    List<Output> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      out.add(new Output(i, ids.get(i), Output.Kind.IMAGE, embeddings.get(i)));
    }
    return out;
  }

  @Override
  public final ReplayInputs<Image> replayInputs() {
    return ReplayInputs.IMAGES;
  }

  /**
   * The image resized to the encoder's input, as the issue asks the buffer to keep it: a large
   * source image would otherwise take its full size in the buffer, and the views of a replayed
   * record are cropped from this copy.
   */
  @Override
  public final Image stored(Image image) {
    return plain.view(checked(image), new Rng(0)); // a plain resize draws nothing
  }

  /** The image, after checking it has the encoder's channels. */
  protected final Image checked(Image image) {
    if (image.channels() != config.encoder().channels()) {
      throw new IllegalArgumentException("image " + image.id() + " has " + image.channels()
          + " channel(s) but the encoder takes " + config.encoder().channels());
    }
    return image;
  }

  /**
   * @param state the state the step starts from (already loaded into the networks)
   * @param views [view][record] -> pixels; two views of every record, then SwAV's or DINO's
   *     local crops
   * @param idHashes source-id hash of every record
   * @param rng the learner's random stream, after the views were drawn
   */
  protected record Views(LearnerState state, float[][][] views, long[] idHashes, Rng rng) {

    int batchSize() {
      return idHashes.length;
    }

    int iteration() {
      return (int) state.step();
    }

    /** Both views stacked, first views then second views: 2N rows. */
    float[][] bothViews() {
      return stacked(2);
    }

    /** Every view stacked, view by view: (number of views) x N rows. */
    float[][] allViews() {
      return stacked(views.length);
    }

    private float[][] stacked(int count) {
      int n = views[0].length;
      float[][] out = new float[count * n][];
      for (int v = 0; v < count; v++) {
        System.arraycopy(views[v], 0, out, v * n, n);
      }
      return out;
    }
  }

  /** Rows [from, to) of x, as a fresh array. */
  static INDArray rows(INDArray x, long from, long to) {
    return x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
  }

  /** The two halves of a 2N-row matrix swapped: row i of view 1 faces row i of view 2. */
  static INDArray swapHalves(INDArray x) {
    long n = x.rows() / 2;
    return Nd4j.vstack(rows(x, n, 2 * n), rows(x, 0, n));
  }
}
