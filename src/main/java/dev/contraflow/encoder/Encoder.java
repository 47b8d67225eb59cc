package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An encoder (backbone + projection head) trained with a loss computed outside it.
 *
 * <p>One training step is {@link #forwardForTraining} (activations kept), the caller's loss
 * gradient with respect to the projection, then {@link #backwardAndUpdate}: backprop, the
 * configured updater on the gradient divided by the batch size, and {@code params -= update}.
 * Batch-norm running statistics are parameters too, so they travel with {@link #params()} and the
 * momentum encoder averages them like any weight.
 *
 * <p>Three implementations: DL4J graphs ({@link EncoderKind#CNN}, {@link EncoderKind#RESNET},
 * {@link EncoderKind#MLP}, and the context-convolution sentence encoder), a hand-written encoder
 * whose every layer is one large GEMM on ND4J ops ({@link EncoderKind#isGemm() the GEMM kinds}),
 * and the hashed-bag sentence encoder with sparse row updates ({@link HashedBagEncoder}).
 *
 * <p>Memory: an encoder's parameters, optimiser state and kept buffers outlive any workspace a
 * caller has open ({@link NativeMemory#step}); the arrays a forward hands out live until the next
 * step and must not be kept past it.
 *
 * <p>Not thread-safe: one encoder per learner.
 */
public abstract class Encoder {

  /** The image shape {@link #batch} packs to; null for a sentence encoder (see TextInputs). */
  private final EncoderConfig config;

  Encoder(EncoderConfig config) {
    this.config = config;
  }

  /** A freshly initialised sentence encoder; parameters depend only on {@code config.seed()}. */
  public static Encoder create(TextEncoderConfig config, OptimizerConfig optimizer) {
    return config.kind().isDl4jGraph() ? Dl4jEncoder.build(config, optimizer)
        : HashedBagEncoder.build(config, optimizer);
  }

  /** A freshly initialised encoder; parameters depend only on {@code config.seed()}. */
  public static Encoder create(EncoderConfig config, OptimizerConfig optimizer) {
    return create(config, optimizer, 0);
  }

  /**
   * As {@link #create(EncoderConfig, OptimizerConfig)} with a predictor head of {@code
   * predictorHidden} hidden units after the projection (0: none; BYOL, SimSiam, MoCo v3). With a
   * predictor, {@link #backwardAndUpdate} takes the gradient with respect to the prediction.
   */
  public static Encoder create(EncoderConfig config, OptimizerConfig optimizer,
      int predictorHidden) {
    return create(config, optimizer, predictorHidden, 0);
  }

  /**
   * With SwAV's {@code prototypes} (K &gt; 0, no predictor): {@link #backwardAndUpdate} then takes
   * the gradient with respect to the prototype scores.
   */
  public static Encoder create(EncoderConfig config, OptimizerConfig optimizer,
      int predictorHidden, int prototypes) {
    return config.kind().isGemm()
        ? GemmEncoder.build(config, optimizer, predictorHidden, prototypes)
        : Dl4jEncoder.build(config, optimizer, predictorHidden, prototypes);
  }

  /** Whether {@link #writeDl4j} is available (only for the DL4J graph implementation). */
  public boolean writesDl4j() {
    return false;
  }

  /**
   * Writes the network in DL4J's own model format (ModelSerializer zip, without updater state),
   * so it loads with {@code ComputationGraph.load} in any DL4J program.
   *
   * @throws UnsupportedOperationException for an encoder that is no DL4J graph ({@link
   *     #writesDl4j()} false)
   */
  public void writeDl4j(java.io.OutputStream out) throws java.io.IOException {
    throw new UnsupportedOperationException("a " + (config != null ? config.kind()
        : getClass().getSimpleName()) + " encoder is no DL4J graph;"
        + " its parameters are in the contraflow model file only");
  }

  public abstract long numParams();

  /**
   * The outputs of one forward pass; rows are examples.
   *
   * @param representation the backbone's output, the embedding users get: the pooled feature map
   *     of the convolutional kinds, the last batch norm's output before its ReLU for GEMM_MLP and
   *     PATCH_MLP (signed; the ReLU opens their head)
   * @param projection the projection head's output
   * @param prediction the predictor's output, or null for an encoder without a predictor
   * @param prototypeScores SwAV's scores of the normalised projection against the prototypes
   *     (B x K), or null without prototypes
   */
  public record Forward(INDArray representation, INDArray projection, INDArray prediction,
      INDArray prototypeScores) {}

  /** Training-mode forward (batch statistics); keeps the activations for the backward pass. */
  public abstract Forward forwardForTraining(INDArray... inputs);

  /** Inference-mode forward (running statistics): an example's output does not depend on its batch. */
  public abstract Forward infer(INDArray... inputs);

  /**
   * Backpropagates {@code dLossDProjection} (B x d, the gradient of the summed - not averaged -
   * loss: the updater divides by the batch size) and applies one optimiser step. For an encoder
   * with a predictor it is the gradient with respect to the prediction, the graph's output; with
   * prototypes, with respect to the prototype scores.
   */
  public void backwardAndUpdate(INDArray dLossDProjection, int iteration) {
    backwardAndUpdate(dLossDProjection, iteration, (int) dLossDProjection.size(0));
  }

  /**
   * As {@link #backwardAndUpdate(INDArray, int)} when the rows are not the examples the loss
   * averages over (e.g. sentence views stacked with their positives): the updater divides by
   * {@code batchSize}.
   */
  public abstract void backwardAndUpdate(INDArray dLossDProjection, int iteration, int batchSize);

  /**
   * SwAV: scales every prototype (a column of the d x K weight matrix) to unit length, in place,
   * so its scores are cosine similarities (Caron et al. 2020 normalise them before each step).
   */
  public void normalizePrototypes() {
    INDArray w = prototypes(); // a view into the flat parameters
    w.diviRowVector(w.norm2(true, 0).addi(1e-12));
  }

  /** SwAV's prototypes, d x K, as a live view (null without prototypes). */
  public abstract INDArray prototypes();

  /** The live flat parameter vector (a view: writes change the network). */
  public abstract INDArray paramsView();

  /** The live optimiser state, or null for an optimiser that keeps none (plain SGD). */
  protected abstract INDArray updaterStateView();

  /** A fresh copy of all parameters, in the implementation's flattened order. */
  public float[] params() {
    return FlatArrays.copyOut(paramsView());
  }

  public void loadParams(float[] params) {
    FlatArrays.copyIn(params, paramsView(), "encoder parameters");
  }

  /** A fresh copy of the optimiser state (empty for plain SGD). */
  public float[] updaterState() {
    INDArray state = updaterStateView();
    return state == null ? new float[0] : FlatArrays.copyOut(state);
  }

  public void loadUpdaterState(float[] state) {
    INDArray view = updaterStateView();
    if (view == null) {
      if (state.length != 0) {
        throw new IllegalArgumentException(
            "this optimiser keeps no state but " + state.length + " values were given");
      }
      return;
    }
    FlatArrays.copyIn(state, view, "optimiser state");
  }

  /** Packs images (each CHW, {@link EncoderConfig#inputSize()} values) into a B x C x H x W batch. */
  public INDArray batch(float[][] images) {
    if (config == null) {
      throw new IllegalStateException("a sentence encoder takes TextInputs.pack(...), not images");
    }
    int n = config.inputSize();
    float[] flat = new float[images.length * n];
    for (int i = 0; i < images.length; i++) {
      if (images[i].length != n) {
        throw new IllegalArgumentException("image " + i + " has " + images[i].length
            + " values, the encoder expects " + n);
      }
      System.arraycopy(images[i], 0, flat, i * n, n);
    }
    return FlatArrays.matrix(flat, images.length, config.channels(), config.height(),
        config.width());
  }
}
