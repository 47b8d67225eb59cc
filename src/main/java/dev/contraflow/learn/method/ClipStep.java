package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.AUGMENT;
import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;

import dev.contraflow.augment.ImageAugmentation;
import dev.contraflow.augment.RandomResizedCrop;
import dev.contraflow.augment.Resize;
import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.ClipLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.LogitScale;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.TextInputs;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.Networks;
import dev.contraflow.learn.Output;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.PairLearnerConfig;
import dev.contraflow.learn.PhaseClock;
import dev.contraflow.learn.replay.ReplayInputs;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP (Radford et al. 2021) on image-text pairs: the image tower is the state's {@code online}
 * network, the text tower its {@code text} network, and the learnable temperature its logit scale.
 * No momentum encoder and no queue: CLIP's negatives are the other pairs of the batch.
 *
 * <p>Per update: a light random crop of each image; image features from the image tower and
 * caption features from the text tower (training mode, dropout masks drawn from the learner's
 * random stream), each L2-normalised; {@link ClipLoss} over the B x B logits scaled by the
 * learnable exp(t); one optimiser step on each tower; one Adam step on t, clamped so the scale
 * stays at most 100.
 *
 * <p>Embeddings are the L2-normalised projections - the space the loss aligns - of images by the
 * image tower and of captions by the text tower, so an image and a caption can be compared
 * directly (zero-shot classification, cross-modal retrieval).
 */
public final class ClipStep implements MethodStep<PairExample> {

  private final PairLearnerConfig config;
  private final Encoder imageEncoder;
  private final Encoder textEncoder;
  private final Networks networks;
  private final ImageAugmentation crop;
  private final ImageAugmentation plain;

  public ClipStep(PairLearnerConfig config) {
    this.config = config;
    this.imageEncoder = Encoder.create(config.image(), config.optimizer());
    this.textEncoder = Encoder.create(config.text(), config.optimizer());
    this.networks = new Networks().trained(LearnerState.ONLINE, imageEncoder)
        .trained(LearnerState.TEXT, textEncoder);
    EncoderConfig e = config.image();
    this.plain = new Resize(e.height(), e.width());
    this.crop = config.cropScaleMin() < 1
        ? new RandomResizedCrop(e.height(), e.width(), config.cropScaleMin(), 1.0, 3.0 / 4.0,
            4.0 / 3.0)
        : plain;
  }

  @Override
  public int batchSize() {
    return config.batchSize();
  }

  @Override
  public Networks networks() {
    return networks;
  }

  /** Step 0: freshly initialised towers, the scale at 1 / initial temperature. */
  @Override
  public LearnerState initialState() {
    var blocks = new Networks()
        .trained(LearnerState.ONLINE, Encoder.create(config.image(), config.optimizer()))
        .trained(LearnerState.TEXT, Encoder.create(config.text(), config.optimizer()))
        .capture();
    return new LearnerState(0, config.seed(), blocks, null,
        LogitScale.ofTemperature(config.initialTemperature()));
  }

  @Override
  public Outcome train(Input<PairExample> in, PhaseClock clock) {
    List<PairExample> examples = in.batch();
    int b = examples.size();
    Rng rng = in.rng();
    float[][] pixels = new float[b][];
    List<TokenizedSentence> captions = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      PairExample e = examples.get(i);
      if (e.image() == null || e.caption() == null) {
        throw new IllegalArgumentException("record " + e.id() + " is not an image-caption pair;"
            + " CLIP trains on pairs (an image or a caption alone can only be embedded)");
      }
      pixels[i] = crop.apply(checked(e.image()), rng.split()).pixels();
      captions.add(e.caption());
    }
    clock.lap(AUGMENT);

    // compute image and text features, training mode (activations kept for backprop)
    Nd4j.getRandom().setSeed(rng.nextLong()); // the text tower's dropout masks
    L2Normalization.Normalized images = L2Normalization.forward(
        imageEncoder.forwardForTraining(imageEncoder.batch(pixels)).projection()); // B x d
    L2Normalization.Normalized texts = L2Normalization.forward(
        textEncoder.forwardForTraining(pack(captions)).projection()); // B x d
    clock.lap(FORWARD);

    LogitScale scale = in.state().logitScale();
    ClipLoss.Result r = ClipLoss.compute(images.unit(), texts.unit(),
        scale.logScale()); // logits: B x B
    clock.lap(LOSS);

    int iteration = in.iteration();
    imageEncoder.backwardAndUpdate(L2Normalization.backward(r.dLossDImage(), images), iteration);
    textEncoder.backwardAndUpdate(L2Normalization.backward(r.dLossDText(), texts), iteration);
    LogitScale nextScale = scale.update(r.dLossDLogScale(), in.state().step(),
        config.optimizer().learningRate());
    clock.lap(BACKWARD);
    return new Outcome(r.loss(), r.positiveSimilarity(), r.negativeSimilarity(), images.unit(),
        texts.unit(), null, nextScale);
  }

  /**
   * The image of each record by the image tower and its caption by the text tower, in input order
   * (image, then caption). A record with both gets ids {@code <id>#image} and {@code <id>#text};
   * a record with one side only ({@link PairExample#ofImage}, {@link PairExample#ofCaption}) keeps
   * its id. Each embedding carries the record's id.
   */
  @Override
  public List<Output> embed(List<PairExample> examples, long version) {
    List<Image> images = new ArrayList<>();
    List<String> imageIds = new ArrayList<>();
    List<TokenizedSentence> captions = new ArrayList<>();
    List<String> captionIds = new ArrayList<>();
    for (PairExample e : examples) {
      if (e.image() != null) {
        images.add(e.image());
        imageIds.add(e.id());
      }
      if (e.caption() != null) {
        captions.add(e.caption());
        captionIds.add(e.id());
      }
    }
    List<Embedding> imageRows = images.isEmpty() ? List.of()
        : embedImages(images, imageIds, version);
    List<Embedding> captionRows = captions.isEmpty() ? List.of()
        : Embedding.ofRows(captionIds, L2Normalization.unit(
            textEncoder.infer(pack(captions)).projection()), version);
    List<Output> out = new ArrayList<>(imageRows.size() + captionRows.size());
    int nextImage = 0;
    int nextCaption = 0;
    for (int i = 0; i < examples.size(); i++) {
      PairExample e = examples.get(i);
      boolean both = e.image() != null && e.caption() != null;
      if (e.image() != null) {
        out.add(new Output(i, both ? e.id() + "#image" : e.id(), Output.Kind.IMAGE,
            imageRows.get(nextImage++)));
      }
      if (e.caption() != null) {
        out.add(new Output(i, both ? e.id() + "#text" : e.id(), Output.Kind.TEXT,
            captionRows.get(nextCaption++)));
      }
    }
    return out;
  }

  private List<Embedding> embedImages(List<Image> images, List<String> ids, long version) {
    float[][] pixels = new float[images.size()][];
    Rng unused = new Rng(0); // a plain resize draws nothing
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = plain.apply(checked(images.get(i)), unused).pixels();
    }
    INDArray z = imageEncoder.infer(imageEncoder.batch(pixels)).projection();
    return Embedding.ofRows(ids, L2Normalization.unit(z), version);
  }

  @Override
  public ReplayInputs<PairExample> replayInputs() {
    return ReplayInputs.PAIRS;
  }

  private INDArray[] pack(List<TokenizedSentence> sentences) {
    int n = sentences.size();
    int[][][] tokens = new int[n][][];
    boolean[][] cutTokens = new boolean[n][];
    boolean[][] noFeatureCut = new boolean[n][];
    for (int i = 0; i < n; i++) {
      tokens[i] = sentences.get(i).tokens();
      cutTokens[i] = new boolean[tokens[i].length];
      noFeatureCut[i] = new boolean[0];
    }
    return TextInputs.pack(config.text(), tokens, cutTokens, noFeatureCut);
  }

  private Image checked(Image image) {
    if (image.channels() != config.image().channels()) {
      throw new IllegalArgumentException("image " + image.id() + " has " + image.channels()
          + " channel(s) but the image encoder takes " + config.image().channels());
    }
    return image;
  }
}
