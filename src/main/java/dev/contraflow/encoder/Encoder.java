package dev.contraflow.encoder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J encoder (backbone + projection head) trained with a loss computed outside DL4J.
 *
 * <p>One training step is {@link #forwardForTraining} (activations kept), the caller's loss
 * gradient with respect to the projection, then {@link #backwardAndUpdate}: DL4J's external-error
 * backprop, the configured updater, and {@code params -= update}, the same arithmetic as DL4J's own
 * {@code fit}. Batch-norm running statistics are parameters too, so they travel with
 * {@link #params()} and the momentum encoder averages them like any weight.
 *
 * <p>Memory: the activations a training forward hands out are released when {@link #backwardAndUpdate} is done with them (or at the next
 * training forward, for a forward nobody backpropagates, e.g. BYOL's target), so off-heap memory
 * does not wait for the garbage collector. Callers must not keep a {@link Forward} array past
 * that point (derive a copy: every loss here does). Every DL4J call runs outside any workspace the
 * caller has open (see {@code StepMemory}): the network's parameters, updater state and the arrays
 * it hands out must outlive the caller's scope.
 *
 * <p>Not thread-safe: one encoder per learner.
 */
public final class Encoder {

  /** The image shape {@link #batch} packs to; null for a sentence encoder (see TextInputs). */
  private final EncoderConfig config;
  private final ComputationGraph net;
  /** The activations an inference forward hands out (the other layers' are freed at once). */
  private final List<String> inferOutputs;
  /** The activations of the last training forward, released once backprop is done with them. */
  private Map<String, INDArray> trainingActivations = Map.of();

  private Encoder(EncoderConfig config, ComputationGraph net) {
    this.config = config;
    this.net = net;
    List<String> outputs = new ArrayList<>();
    for (String name : List.of(EncoderGraphs.REPRESENTATION, EncoderGraphs.PROJECTION,
        EncoderGraphs.PREDICTION, EncoderGraphs.PROTOTYPES)) {
      if (net.getConfiguration().getVertices().containsKey(name)) {
        outputs.add(name);
      }
    }
    this.inferOutputs = List.copyOf(outputs);
  }

  /** A freshly initialised sentence encoder; parameters depend only on {@code config.seed()}. */
  public static Encoder create(TextEncoderConfig config, OptimizerConfig optimizer) {
    ComputationGraph net = new ComputationGraph(TextEncoderGraphs.build(config, optimizer));
    net.init();
    return new Encoder(null, net);
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
    ComputationGraph net = new ComputationGraph(
        EncoderGraphs.build(config, optimizer, predictorHidden, prototypes));
    net.init();
    return new Encoder(config, net);
  }

  /**
   * Writes the network in DL4J's own model format (ModelSerializer zip, without updater state),
   * so it loads with {@code ComputationGraph.load} in any DL4J program.
   */
  public void writeDl4j(java.io.OutputStream out) throws java.io.IOException {
    org.deeplearning4j.util.ModelSerializer.writeModel(net, out, false);
  }

  public long numParams() {
    return net.numParams();
  }

  /**
   * The outputs of one forward pass; rows are examples.
   *
   * @param representation the pooled backbone feature (the embedding users get)
   * @param projection the projection head's output
   * @param prediction the predictor's output, or null for an encoder without a predictor
   * @param prototypeScores SwAV's scores of the normalised projection against the prototypes
   *     (B x K), or null without prototypes
   */
  public record Forward(INDArray representation, INDArray projection, INDArray prediction,
      INDArray prototypeScores) {}

  /** Training-mode forward (batch statistics); keeps the activations for the backward pass. */
  public Forward forwardForTraining(INDArray... inputs) {
    releaseTrainingActivations();
    try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      // detached activations; DL4J keeps the layers' inputs for the backward pass
      trainingActivations = net.feedForward(inputs, true, false);
    }
    return forward(trainingActivations);
  }

  /** Inference-mode forward (running statistics): an example's output does not depend on its batch. */
  public Forward infer(INDArray... inputs) {
    Map<String, INDArray> acts;
    try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      acts = net.feedForward(inputs, false, true);
    }
    // the detached copies of the layers nobody reads are freed at once
    release(acts, inferOutputs);
    return forward(acts);
  }

  /**
   * Backpropagates {@code dLossDProjection} (B x d, the gradient of the summed - not averaged -
   * loss: DL4J's updater divides by the batch size) and applies one optimiser step. For an encoder
   * with a predictor it is the gradient with respect to the prediction, the graph's output.
   */
  public void backwardAndUpdate(INDArray dLossDProjection, int iteration) {
    backwardAndUpdate(dLossDProjection, iteration, (int) dLossDProjection.size(0));
  }

  /**
   * As {@link #backwardAndUpdate(INDArray, int)} when the rows are not the examples the loss
   * averages over (e.g. sentence views stacked with their positives): the updater divides by
   * {@code batchSize}.
   */
  public void backwardAndUpdate(INDArray dLossDProjection, int iteration, int batchSize) {
    try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      // the forward ran without workspaces (its caches must outlive it); the backward's working
      // arrays (epsilons, im2col, batch-norm temporaries) need not, so they reuse DL4J's
      // workspaces; the gradient itself lands in the network's persistent gradient view
      net.getConfiguration().setTrainingWorkspaceMode(WorkspaceMode.ENABLED);
      Gradient gradient;
      try {
        gradient = net.backpropGradient(dLossDProjection);
      } finally {
        net.getConfiguration().setTrainingWorkspaceMode(WorkspaceMode.NONE);
      }
      net.getUpdater().update(gradient, iteration, 0, batchSize, LayerWorkspaceMgr.noWorkspaces());
      net.params().subi(gradient.gradient());
      net.clearLayersStates();
    }
    releaseTrainingActivations();
  }

  /** Frees the last training forward's activations now rather than when the collector finds them. */
  private void releaseTrainingActivations() {
    release(trainingActivations, List.of());
    trainingActivations = Map.of();
  }

  /**
   * Closes the activations of a forward except those named in {@code kept} and the graph's inputs
   * (the caller's); an array listed twice is closed once, views and workspace arrays not at all.
   */
  private void release(Map<String, INDArray> activations, List<String> kept) {
    Set<INDArray> keep = Collections.newSetFromMap(new IdentityHashMap<>());
    for (String name : kept) {
      keep.add(activations.get(name));
    }
    for (String input : net.getConfiguration().getNetworkInputs()) {
      keep.add(activations.get(input));
    }
    for (INDArray a : activations.values()) {
      if (a != null && keep.add(a)) {
        a.close();
      }
    }
  }

  /**
   * SwAV: scales every prototype (a column of the d x K weight matrix) to unit length, in place,
   * so its scores are cosine similarities (Caron et al. 2020 normalise them before each step).
   */
  public void normalizePrototypes() {
    INDArray w = prototypes(); // a view into the flat parameters
    w.diviRowVector(w.norm2(true, 0).addi(1e-12));
  }

  /** SwAV's prototypes, d x K, as a live view (null without prototypes). */
  public INDArray prototypes() {
    org.deeplearning4j.nn.api.Layer layer = net.getLayer(EncoderGraphs.PROTOTYPES);
    return layer == null ? null : layer.getParam("W");
  }

  /** The live flat parameter vector (a view: writes change the network). */
  public INDArray paramsView() {
    return net.params();
  }

  /** A fresh copy of all parameters, in DL4J's flattened order. */
  public float[] params() {
    return FlatArrays.copyOut(net.params());
  }

  public void loadParams(float[] params) {
    FlatArrays.copyIn(params, net.params(), "encoder parameters");
  }

  /** A fresh copy of the optimiser state (empty for plain SGD). */
  public float[] updaterState() {
    INDArray state = updaterStateView();
    return state == null ? new float[0] : FlatArrays.copyOut(state);
  }

  /** The updater's state, created outside any caller's workspace on first use: it persists. */
  private INDArray updaterStateView() {
    try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return net.getUpdater().getStateViewArray();
    }
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
    return Nd4j.create(flat,
        new long[] {images.length, config.channels(), config.height(), config.width()}, 'c');
  }

  private static Forward forward(Map<String, INDArray> acts) {
    return new Forward(acts.get(EncoderGraphs.REPRESENTATION), acts.get(EncoderGraphs.PROJECTION),
        acts.get(EncoderGraphs.PREDICTION), acts.get(EncoderGraphs.PROTOTYPES));
  }
}
