package dev.contraflow.learn;

import dev.contraflow.augment.ImageAugmentation;
import dev.contraflow.augment.RandomResizedCrop;
import dev.contraflow.augment.Resize;
import dev.contraflow.augment.Rng;
import dev.contraflow.contrast.ClipLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.LogitScale;
import dev.contraflow.contrast.RepresentationGeometry;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.TextInputs;
import dev.contraflow.io.Image;
import dev.contraflow.io.SentenceTokenizer;
import dev.contraflow.io.TokenizedSentence;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Online CLIP (Radford et al. 2021): one training step per micro-batch of image-text pairs, with
 * the contract of {@link Learner} and {@link SentenceLearner}: {@code step(state, batch) ->
 * (state', embeddings, metrics)} is a function of its inputs; the networks are scratch space
 * loaded from the state given.
 *
 * <p>Per step: a light random crop of each image; image features from the image encoder and
 * caption features from the text encoder (training mode, dropout masks drawn from the learner's
 * random stream), each L2-normalised; {@link ClipLoss} over the B x B logits scaled by the
 * learnable exp(t); one optimiser step on each tower; one Adam step on t, clamped so the scale
 * stays at most 100. No momentum encoder and no queue: CLIP's negatives are the other pairs of the
 * batch.
 *
 * <p>Embeddings are the L2-normalised projections - the space the loss aligns - of images by the
 * image tower and of texts by the text tower, so an image and a caption can be compared directly
 * (zero-shot classification, cross-modal retrieval).
 *
 * <p>Not thread-safe.
 */
public final class PairLearner {

  private static final int EMBED_CHUNK = 500;

  private final PairLearnerConfig config;
  private final SentenceTokenizer tokenizer;
  private final Encoder imageEncoder;
  private final Encoder textEncoder;
  private final ImageAugmentation crop;
  private final ImageAugmentation plain;
  /** The state the networks currently hold; a step from it needs no reload. */
  private PairLearnerState loaded;

  public PairLearner(PairLearnerConfig config) {
    this.config = config;
    this.tokenizer = new SentenceTokenizer(config.tokenizer());
    this.imageEncoder = Encoder.create(config.image(), config.optimizer());
    this.textEncoder = Encoder.create(config.text(), config.optimizer());
    EncoderConfig e = config.image();
    this.plain = new Resize(e.height(), e.width());
    this.crop = config.cropScaleMin() < 1
        ? new RandomResizedCrop(e.height(), e.width(), config.cropScaleMin(), 1.0, 3.0 / 4.0,
            4.0 / 3.0)
        : plain;
  }

  public PairLearnerConfig config() {
    return config;
  }

  /** The tokenizer captions must pass before they enter a batch. */
  public SentenceTokenizer tokenizer() {
    return tokenizer;
  }

  /** Step 0: freshly initialised towers, the scale at 1 / initial temperature. */
  public PairLearnerState initialState() {
    Encoder image = Encoder.create(config.image(), config.optimizer());
    Encoder text = Encoder.create(config.text(), config.optimizer());
    return PairLearnerState.capture(0, config.seed(), image, text,
        LogitScale.ofTemperature(config.initialTemperature()));
  }

  /** One training step on a micro-batch of pairs. */
  public PairStepResult step(PairLearnerState state, PairBatch batch) {
    long started = System.nanoTime();
    load(state);
    List<PairExample> examples = batch.examples();
    int b = examples.size();
    Rng rng = new Rng(state.rngState());

    long t0 = System.nanoTime();
    float[][] pixels = new float[b][];
    for (int i = 0; i < b; i++) {
      pixels[i] = crop.apply(checked(examples.get(i).image()), rng.split()).pixels();
    }

    // compute image and text features, training mode (activations kept for backprop)
    long t1 = System.nanoTime();
    Nd4j.getRandom().setSeed(rng.nextLong()); // the text tower's dropout masks
    L2Normalization.Normalized images = L2Normalization.forward(
        imageEncoder.forwardForTraining(imageEncoder.batch(pixels)).projection()); // B x d
    L2Normalization.Normalized texts = L2Normalization.forward(
        textEncoder.forwardForTraining(pack(captions(examples))).projection()); // B x d

    long t2 = System.nanoTime();
    LogitScale scale = state.logitScale();
    ClipLoss.Result r = ClipLoss.compute(images.unit(), texts.unit(),
        scale.logScale()); // logits: B x B

    long t3 = System.nanoTime();
    int iteration = (int) state.step();
    imageEncoder.backwardAndUpdate(L2Normalization.backward(r.dLossDImage(), images), iteration);
    textEncoder.backwardAndUpdate(L2Normalization.backward(r.dLossDText(), texts), iteration);
    LogitScale nextScale = scale.update(r.dLossDLogScale(), state.step(),
        config.optimizer().learningRate());

    long t4 = System.nanoTime();
    long next = state.step() + 1;
    List<Embedding> imageEmbeddings = List.of();
    List<Embedding> textEmbeddings = List.of();
    if (batch.emitEmbeddings()) {
      List<String> ids = examples.stream().map(PairExample::id).toList(); // the record's id
      imageEmbeddings = embedImagesNow(examples.stream().map(PairExample::image).toList(), ids,
          next);
      textEmbeddings = embedTextsNow(captions(examples), ids, next);
    }

    long t5 = System.nanoTime();
    PairLearnerState nextState = PairLearnerState.capture(next, rng.state(), imageEncoder,
        textEncoder, nextScale);
    loaded = nextState;
    long t6 = System.nanoTime();

    StepTimings timings = new StepTimings(t1 - t0, t2 - t1, t3 - t2, t4 - t3, 0, 0, t5 - t4,
        (t6 - t5) + (t0 - started));
    StepMetrics metrics = new StepMetrics(next, r.loss(), r.positiveSimilarity(),
        r.negativeSimilarity(), RepresentationGeometry.alignment(images.unit(), texts.unit()),
        RepresentationGeometry.uniformity(images.unit()),
        RepresentationGeometry.embeddingStd(images.unit()), 0, Double.NaN,
        b * 1e9 / (t6 - started), timings);
    return new PairStepResult(nextState, imageEmbeddings, textEmbeddings, metrics);
  }

  /** Images into the shared space by the state's image tower, without training. */
  public List<Embedding> embedImages(PairLearnerState state, List<Image> images) {
    load(state);
    return embedImagesNow(images, images.stream().map(Image::id).toList(), state.step());
  }

  /** Sentences into the shared space by the state's text tower, without training. */
  public List<Embedding> embedTexts(PairLearnerState state, List<TokenizedSentence> sentences) {
    load(state);
    return embedTextsNow(sentences, sentences.stream().map(TokenizedSentence::id).toList(),
        state.step());
  }

  /** The vectors of any number of images, a few hundred at a time (bounded memory). */
  public float[][] embedAllImages(PairLearnerState state, List<Image> images) {
    return Embedding.vectorsInChunks(images, EMBED_CHUNK, chunk -> embedImages(state, chunk));
  }

  /** The vectors of any number of sentences, a few hundred at a time (bounded memory). */
  public float[][] embedAllTexts(PairLearnerState state, List<TokenizedSentence> sentences) {
    return Embedding.vectorsInChunks(sentences, EMBED_CHUNK, chunk -> embedTexts(state, chunk));
  }

  private List<Embedding> embedImagesNow(List<Image> images, List<String> ids, long version) {
    float[][] pixels = new float[images.size()][];
    Rng unused = new Rng(0); // a plain resize draws nothing
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = plain.apply(checked(images.get(i)), unused).pixels();
    }
    INDArray z = imageEncoder.infer(imageEncoder.batch(pixels)).projection();
    return Embedding.ofRows(ids, L2Normalization.unit(z), version);
  }

  private List<Embedding> embedTextsNow(List<TokenizedSentence> sentences, List<String> ids,
      long version) {
    INDArray z = textEncoder.infer(pack(sentences)).projection();
    return Embedding.ofRows(ids, L2Normalization.unit(z), version);
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

  private void load(PairLearnerState state) {
    if (state == loaded) {
      return; // the networks already hold exactly this state
    }
    state.loadInto(imageEncoder, textEncoder);
    loaded = state;
  }

  private Image checked(Image image) {
    if (image.channels() != config.image().channels()) {
      throw new IllegalArgumentException("image " + image.id() + " has " + image.channels()
          + " channel(s) but the image encoder takes " + config.image().channels());
    }
    return image;
  }

  private static List<TokenizedSentence> captions(List<PairExample> examples) {
    return examples.stream().map(PairExample::caption).toList();
  }
}
