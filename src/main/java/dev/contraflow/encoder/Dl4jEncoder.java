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
 * An encoder built as a DL4J {@link ComputationGraph} (see {@link EncoderGraphs}): one training
 * step is DL4J's external-error backprop, the configured updater, and {@code params -= update},
 * the same arithmetic as DL4J's own {@code fit}. Batch-norm running statistics are parameters too,
 * so they travel with {@link #params()} and the momentum encoder averages them like any weight.
 *
 * <p>Memory: the activations a training forward hands out are released when {@link
 * #backwardAndUpdate} is done with them (or at the next training forward, for a forward nobody
 * backpropagates, e.g. BYOL's target), so off-heap memory does not wait for the garbage collector.
 * Callers must not keep a {@link Forward} array past that point (derive a copy: every loss here
 * does). Every DL4J call runs outside any workspace the caller has open (see {@link
 * NativeMemory#step}): the network's parameters, updater state and the arrays it hands out must
 * outlive the caller's scope.
 */
final class Dl4jEncoder extends Encoder {

  private final ComputationGraph net;
  /** The activations an inference forward hands out (the other layers' are freed at once). */
  private final List<String> inferOutputs;
  /** The activations of the last training forward, released once backprop is done with them. */
  private Map<String, INDArray> trainingActivations = Map.of();

  private Dl4jEncoder(EncoderConfig config, ComputationGraph net) {
    super(config);
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
  static Dl4jEncoder build(TextEncoderConfig config, OptimizerConfig optimizer) {
    ComputationGraph net = new ComputationGraph(TextEncoderGraphs.build(config, optimizer));
    net.init();
    return new Dl4jEncoder(null, net);
  }

  static Dl4jEncoder build(EncoderConfig config, OptimizerConfig optimizer,
      int predictorHidden, int prototypes) {
    ComputationGraph net = new ComputationGraph(
        EncoderGraphs.build(config, optimizer, predictorHidden, prototypes));
    net.init();
    return new Dl4jEncoder(config, net);
  }

  @Override
  public boolean writesDl4j() {
    return true;
  }

  @Override
  public void writeDl4j(java.io.OutputStream out) throws java.io.IOException {
    org.deeplearning4j.util.ModelSerializer.writeModel(net, out, false);
  }

  @Override
  public long numParams() {
    return net.numParams();
  }

  @Override
  public Forward forwardForTraining(INDArray... inputs) {
    releaseTrainingActivations();
    try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      // detached activations; DL4J keeps the layers' inputs for the backward pass
      trainingActivations = net.feedForward(inputs, true, false);
    }
    return forward(trainingActivations);
  }

  @Override
  public Forward infer(INDArray... inputs) {
    Map<String, INDArray> acts;
    try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      acts = net.feedForward(inputs, false, true);
    }
    // the detached copies of the layers nobody reads are freed at once
    release(acts, inferOutputs);
    return forward(acts);
  }

  @Override
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

  @Override
  public INDArray prototypes() {
    org.deeplearning4j.nn.api.Layer layer = net.getLayer(EncoderGraphs.PROTOTYPES);
    return layer == null ? null : layer.getParam("W");
  }

  @Override
  public INDArray paramsView() {
    return net.params();
  }

  @Override
  protected INDArray updaterStateView() {
    // created outside any caller's workspace on first use: it persists
    try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return net.getUpdater().getStateViewArray();
    }
  }

  private static Forward forward(Map<String, INDArray> acts) {
    return new Forward(acts.get(EncoderGraphs.REPRESENTATION), acts.get(EncoderGraphs.PROJECTION),
        acts.get(EncoderGraphs.PREDICTION), acts.get(EncoderGraphs.PROTOTYPES));
  }
}
