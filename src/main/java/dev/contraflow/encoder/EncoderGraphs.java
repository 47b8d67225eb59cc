package dev.contraflow.encoder;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Builds the DL4J graphs for each {@link EncoderKind}: backbone -> "representation" (the pooled
 * feature users get as embedding) -> MoCo v2 head -> "projection" (the space the loss lives in).
 *
 * <p>The graph has a single output, the projection, whose gradient the contrastive loss supplies
 * from outside (DL4J's external-error path), so no DL4J output layer or loss is involved.
 */
final class EncoderGraphs {

  static final String INPUT = "input";
  static final String REPRESENTATION = "representation";
  static final String PROJECTION = "projection";
  static final String PREDICTION = "prediction";
  static final String PROJECTION_UNIT = "projection-unit";
  static final String PROTOTYPES = "prototypes";
  /** Side (and stride) of the CNN's patchify stem. */
  static final int PATCH = 4;

  private EncoderGraphs() {}

  static ComputationGraphConfiguration build(EncoderConfig config, OptimizerConfig optimizer) {
    return build(config, optimizer, 0);
  }

  /**
   * As {@link #build(EncoderConfig, OptimizerConfig)}, with a predictor head of {@code
   * predictorHidden} hidden units after the projection (0: none), and then batch norm in the
   * projector's hidden layer too. With a predictor the graph's output, the one the loss gradient
   * enters, is the prediction.
   */
  static ComputationGraphConfiguration build(EncoderConfig config, OptimizerConfig optimizer,
      int predictorHidden) {
    return build(config, optimizer, predictorHidden, 0);
  }

  /**
   * As {@link #build(EncoderConfig, OptimizerConfig, int)}, or with SwAV's {@code prototypes}
   * (K &gt; 0) instead of a predictor: the L2-normalised projection times K prototype vectors (a
   * bias-free dense layer), whose scores are then the graph's output.
   */
  static ComputationGraphConfiguration build(EncoderConfig config, OptimizerConfig optimizer,
      int predictorHidden, int prototypes) {
    GraphBuilder g = base(config.seed(), optimizer)
        .convolutionMode(ConvolutionMode.Same)
        .graphBuilder()
        .addInputs(INPUT)
        .setInputTypes(InputType.convolutional(config.height(), config.width(), config.channels()));
    String features = switch (config.kind()) {
      case CNN -> cnn(g, config);
      case RESNET -> resnet(g, config);
      case MLP -> mlp(g, config);
      case GEMM_CNN, GEMM_MLP, PATCH_MLP, VIT -> throw new IllegalArgumentException(
          config.kind() + " is the hand-written GEMM encoder, not a DL4J graph");
    };
    if (predictorHidden > 0) {
      batchNormProjectionHead(g, features, config.representationDim(), config.projectionHidden(),
          config.projectionDim());
      predictorHead(g, config.projectionDim(), predictorHidden);
      return g.setOutputs(PREDICTION).validateOutputLayerConfig(false).build();
    }
    projectionHead(g, features, config.representationDim(), config.projectionHidden(),
        config.projectionDim());
    if (prototypes > 0) {
      g.addVertex(PROJECTION_UNIT, new L2NormalizeVertex(), PROJECTION);
      g.addLayer(PROTOTYPES, new DenseLayer.Builder().nIn(config.projectionDim()).nOut(prototypes)
          .hasBias(false).activation(Activation.IDENTITY).build(), PROJECTION_UNIT);
      return g.setOutputs(PROTOTYPES).validateOutputLayerConfig(false).build();
    }
    return g.setOutputs(PROJECTION).validateOutputLayerConfig(false).build();
  }

  /** Settings every encoder graph shares: seed, float, optimiser, init, workspaces. */
  static NeuralNetConfiguration.Builder base(long seed, OptimizerConfig optimizer) {
    return new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .updater(optimizer.updater())
        .weightDecay(optimizer.weightDecay(), true)
        .weightInit(WeightInit.RELU)
        // the external-error path keeps activations between feedForward and backprop, which
        // DL4J's scoped workspaces would recycle underneath us (in M2.1 batch norm's forward
        // caches live in a per-layer workspace when the forward is detached: backprop then reads
        // a closed workspace), so the training forward allocates outside workspaces (Encoder
        // frees its activations explicitly and runs the backward pass in workspaces); inference
        // reuses workspace memory
        .trainingWorkspaceMode(WorkspaceMode.NONE)
        .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
  }

  /**
   * A patchify stem (4x4 convolution, stride 4, 2w channels: 28x28 becomes 7x7) and a 3x3
   * conv-BN-ReLU block of 4w channels, then global average pooling. DL4J's convolution layers run
   * far from the matmul limit and their cost grows with the activation maps, so the network
   * downsamples at once and spends its FLOPs on the small map: 4x the training throughput of a
   * stride-2-per-stage CNN of the same width (measured with `contraflow bench speed`).
   */
  private static String cnn(GraphBuilder g, EncoderConfig c) {
    int w = c.baseWidth();
    String x = convBnRelu(g, "stem", INPUT, 2 * w, PATCH, PATCH);
    x = convBnRelu(g, "stage1", x, 4 * w, 3, 1);
    g.addLayer(REPRESENTATION, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
    return REPRESENTATION;
  }

  /** ResNet (He et al. 2016) basic blocks; a 3x3 stem, stages of w, 2w, 4w channels. */
  private static String resnet(GraphBuilder g, EncoderConfig c) {
    int w = c.baseWidth();
    String x = convBnRelu(g, "stem", INPUT, w, 1);
    int[] widths = {w, 2 * w, 4 * w};
    int in = w;
    for (int s = 0; s < widths.length; s++) {
      for (int b = 0; b < c.blocksPerStage(); b++) {
        int stride = (s > 0 && b == 0) ? 2 : 1;
        x = basicBlock(g, "s" + (s + 1) + "b" + (b + 1), x, in, widths[s], stride);
        in = widths[s];
      }
    }
    g.addLayer(REPRESENTATION, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
    return REPRESENTATION;
  }

  private static String mlp(GraphBuilder g, EncoderConfig c) {
    int w = c.baseWidth();
    g.addLayer("fc1", new DenseLayer.Builder().nOut(16L * w).activation(Activation.IDENTITY)
        .build(), INPUT);
    g.addLayer("fc1-bn", new BatchNormalization.Builder().build(), "fc1");
    g.addLayer("fc1-relu", new ActivationLayer.Builder().activation(Activation.RELU).build(),
        "fc1-bn");
    g.addLayer("fc2", new DenseLayer.Builder().nOut(8L * w).activation(Activation.IDENTITY)
        .build(), "fc1-relu");
    g.addLayer("fc2-bn", new BatchNormalization.Builder().build(), "fc2");
    g.addLayer(REPRESENTATION, new ActivationLayer.Builder().activation(Activation.RELU).build(),
        "fc2-bn");
    return REPRESENTATION;
  }

  /**
   * MoCo v2 head: fc-ReLU-fc, no BN (so any micro-batch size, even 1, trains); with {@code hidden}
   * 0 the linear fc of MoCo v1 and InstDisc.
   */
  static void projectionHead(GraphBuilder g, String from, int in, int hidden, int dim) {
    if (hidden == 0) {
      g.addLayer(PROJECTION, new DenseLayer.Builder().nIn(in).nOut(dim)
          .activation(Activation.IDENTITY).build(), from);
      return;
    }
    g.addLayer("head-fc1", new DenseLayer.Builder().nIn(in).nOut(hidden)
        .activation(Activation.RELU).build(), from);
    g.addLayer(PROJECTION, new DenseLayer.Builder().nIn(hidden).nOut(dim)
        .activation(Activation.IDENTITY).build(), "head-fc1");
  }

  /**
   * The projector of the methods with a predictor - BYOL (Grill et al. 2020), SimSiam (Chen and He
   * 2021), MoCo v3 (Chen et al. 2021): fc-BN-ReLU-fc, batch norm in the hidden layer as all three
   * papers have it (SimSiam: without BN in its MLPs, training does not learn).
   */
  static void batchNormProjectionHead(GraphBuilder g, String from, int in, int hidden, int dim) {
    batchNormMlp(g, "head", from, in, hidden, dim, PROJECTION);
  }

  /**
   * The predictor q of BYOL (Grill et al. 2020), SimSiam (Chen and He 2021) and MoCo v3: an MLP
   * d -> h -> d with batch norm in its hidden layer, as in the papers, on the online branch only.
   * (SimSiam: without it the non-contrastive methods collapse more readily. A micro-batch of one
   * record gets no useful batch statistics here.)
   */
  private static void predictorHead(GraphBuilder g, int dim, int hidden) {
    batchNormMlp(g, "pred", PROJECTION, dim, hidden, dim, PREDICTION);
  }

  /** fc-BN-ReLU-fc from {@code from} (in units) to the layer {@code output} (out units). */
  private static void batchNormMlp(GraphBuilder g, String name, String from, int in, int hidden,
      int out, String output) {
    g.addLayer(name + "-fc1", new DenseLayer.Builder().nIn(in).nOut(hidden)
        .activation(Activation.IDENTITY).build(), from);
    g.addLayer(name + "-bn", new BatchNormalization.Builder().build(), name + "-fc1");
    g.addLayer(name + "-relu", new ActivationLayer.Builder().activation(Activation.RELU).build(),
        name + "-bn");
    g.addLayer(output, new DenseLayer.Builder().nIn(hidden).nOut(out)
        .activation(Activation.IDENTITY).build(), name + "-relu");
  }

  private static String convBnRelu(GraphBuilder g, String name, String from, int out, int stride) {
    return convBnRelu(g, name, from, out, 3, stride);
  }

  private static String convBnRelu(
      GraphBuilder g, String name, String from, int out, int kernel, int stride) {
    conv(g, name + "-conv", from, out, kernel, stride);
    g.addLayer(name + "-bn", new BatchNormalization.Builder().build(), name + "-conv");
    g.addLayer(name, new ActivationLayer.Builder().activation(Activation.RELU).build(),
        name + "-bn");
    return name;
  }

  private static String basicBlock(
      GraphBuilder g, String name, String from, int in, int out, int stride) {
    String a = convBnRelu(g, name + "-a", from, out, stride);
    conv(g, name + "-b-conv", a, out, 3, 1);
    g.addLayer(name + "-b-bn", new BatchNormalization.Builder().build(), name + "-b-conv");
    String shortcut = from;
    if (stride != 1 || in != out) {
      // projection shortcut (ResNet option B): 1x1 conv matches channels and stride
      conv(g, name + "-short", from, out, 1, stride);
      g.addLayer(name + "-short-bn", new BatchNormalization.Builder().build(), name + "-short");
      shortcut = name + "-short-bn";
    }
    g.addVertex(name + "-add", new ElementWiseVertex(ElementWiseVertex.Op.Add),
        name + "-b-bn", shortcut);
    g.addLayer(name, new ActivationLayer.Builder().activation(Activation.RELU).build(),
        name + "-add");
    return name;
  }

  private static void conv(GraphBuilder g, String name, String from, int out, int k, int stride) {
    g.addLayer(name, new ConvolutionLayer.Builder(k, k).stride(stride, stride).nOut(out)
        .hasBias(false).activation(Activation.IDENTITY).build(), from);
  }
}
