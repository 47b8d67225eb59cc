package dev.contraflow.encoder;

import java.util.Map;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An encoder built as a DL4J {@link ComputationGraph} (see {@link EncoderGraphs}): one training
 * step is DL4J's external-error backprop, the configured updater, and {@code params -= update},
 * the same arithmetic as DL4J's own {@code fit}. Batch-norm running statistics are parameters too,
 * so they travel with {@link #params()} and the momentum encoder averages them like any weight.
 */
final class Dl4jEncoder extends Encoder {

  private final ComputationGraph net;

  private Dl4jEncoder(EncoderConfig config, ComputationGraph net) {
    super(config);
    this.net = net;
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
    Map<String, INDArray> acts = net.feedForward(inputs, true, false);
    return forward(acts);
  }

  @Override
  public Forward infer(INDArray... inputs) {
    Map<String, INDArray> acts = net.feedForward(inputs, false, true);
    return forward(acts);
  }

  @Override
  public void backwardAndUpdate(INDArray dLossDProjection, int iteration, int batchSize) {
    Gradient gradient = net.backpropGradient(dLossDProjection);
    net.getUpdater().update(gradient, iteration, 0, batchSize, LayerWorkspaceMgr.noWorkspaces());
    net.params().subi(gradient.gradient());
    net.clearLayersStates();
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
    return net.getUpdater().getStateViewArray();
  }

  private static Forward forward(Map<String, INDArray> acts) {
    return new Forward(acts.get(EncoderGraphs.REPRESENTATION), acts.get(EncoderGraphs.PROJECTION),
        acts.get(EncoderGraphs.PREDICTION), acts.get(EncoderGraphs.PROTOTYPES));
  }
}
