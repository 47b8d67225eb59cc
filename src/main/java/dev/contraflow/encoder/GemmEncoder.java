package dev.contraflow.encoder;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * The hand-written encoder of the GEMM kinds: a chain of {@link GemmLayer}s on ND4J ops, each
 * layer one large GEMM (convolutions as im2col + GEMM, batch norm and ReLU in place on its output)
 * with a hand-written backward pass. DL4J's convolution layers run at a tenth of the matmul rate on
 * small images (issue 20); this runs the same architectures near it, on any ND4J backend.
 *
 * <p>Parameters are one flat vector [trainable | BN running statistics]; the gradient covers the
 * trainable part, and ND4J's own {@link GradientUpdater} (the one DL4J's updater wraps) steps it,
 * so the optimiser state means what it means for the DL4J encoder. The update matches DL4J's:
 * gradient / B, updater, plus learning rate x weight decay x weight on weights only.
 *
 * <p>The heads are the DL4J encoder's: MoCo v2's fc-ReLU-fc (or a linear fc), or with a predictor
 * the fc-BN-ReLU-fc projector and predictor of BYOL, SimSiam and MoCo v3, or SwAV's prototypes on
 * the L2-normalised projection.
 *
 * <p>The MLP backbones (GEMM_MLP, PATCH_MLP) end in fc-BN, and the ReLU that followed their last
 * batch norm opens the head instead: the network computes what it did, but the representation
 * (the embedding users get) is the batch-normalised pre-activation. After a ReLU every coordinate
 * is non-negative, so all embeddings crowd into one orthant and their cosines are all positive,
 * which flattens kNN's exp(cos / 0.07) weighting. Before the ReLU each coordinate is standardised
 * by the running statistics, then scaled by gamma and shifted by beta (so centred on beta, not on
 * zero). Issue 20, one pass on Fashion-MNIST, the same model: weighted kNN 0.8229 against 0.8211
 * after the ReLU (README "One pass").
 */
final class GemmEncoder extends Encoder {

  private final List<GemmLayer> layers;
  /** Layer indices after which the chain's output is the representation, the projection, ... */
  private final int representationEnd;
  /** Whether the representation is a pre-activation, whose ReLU is the head's first layer. */
  private final boolean preActivation;
  private final int projectionEnd;
  private final int predictionEnd; // -1 without a predictor
  private final Linear prototypes; // null without
  private final int firstWithParams;
  private final INDArray params; // 1 x (T + S)
  private final INDArray trainable; // 1 x T, a view of params
  private final INDArray gradient; // 1 x T
  private final INDArray updaterState; // null for plain SGD
  private final GradientUpdater updater;
  private final IUpdater updaterConfig;
  private final double weightDecay;
  private final List<INDArray[]> decayed;
  /** The trainable vector cut into runs that are all decayed weights or all not. */
  private final List<Run> runs;

  private GemmEncoder(EncoderConfig config, OptimizerConfig optimizer, Chain chain,
      DataType dataType) {
    super(config);
    this.layers = chain.layers;
    this.representationEnd = chain.representationEnd;
    this.preActivation = chain.preActivation;
    this.projectionEnd = chain.projectionEnd;
    this.predictionEnd = chain.predictionEnd;
    this.prototypes = chain.prototypes;
    long t = 0;
    long s = 0;
    int first = -1;
    for (int i = 0; i < layers.size(); i++) {
      t += layers.get(i).numParams();
      s += layers.get(i).numStatistics();
      if (first < 0 && layers.get(i).numParams() > 0) {
        first = i;
      }
    }
    this.firstWithParams = first;
    this.params = Nd4j.create(dataType, 1, t + s);
    this.trainable = params.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, t)).reshape(1, t);
    this.gradient = Nd4j.create(dataType, 1, t);
    ParameterLayout layout = new ParameterLayout(params, gradient, t, config.seed());
    for (GemmLayer layer : layers) {
      layer.bind(layout);
    }
    layout.requireFilled();
    this.decayed = layout.decayed();
    this.runs = Run.cover(layout.decayedSpans(), t);
    this.updaterConfig = optimizer.updater();
    long stateSize = updaterConfig.stateSize(t);
    this.updaterState = stateSize == 0 ? null : Nd4j.create(dataType, 1, stateSize);
    this.updater = updaterConfig.instantiate(updaterState, true);
    this.weightDecay = optimizer.weightDecay();
  }

  static GemmEncoder build(EncoderConfig config, OptimizerConfig optimizer, int predictorHidden,
      int prototypes) {
    return build(config, optimizer, predictorHidden, prototypes, DataType.FLOAT);
  }

  /** As the float encoder, in {@code dataType} (double for gradient checks). */
  static GemmEncoder build(EncoderConfig config, OptimizerConfig optimizer, int predictorHidden,
      int prototypes, DataType dataType) {
    if (predictorHidden > 0 && prototypes > 0) {
      throw new IllegalArgumentException("an encoder has a predictor (BYOL, SimSiam, MoCo v3) or"
          + " SwAV's prototypes, not both; got predictorHidden " + predictorHidden
          + " and prototypes " + prototypes);
    }
    // parameters, optimiser state and kept buffers persist across every step's workspace
    return NativeMemory.persistent(() -> new GemmEncoder(config, optimizer,
        Chain.of(config, predictorHidden, prototypes), dataType));
  }

  @Override
  public long numParams() {
    return params.length();
  }

  @Override
  public Forward forwardForTraining(INDArray... inputs) {
    return forward(inputs[0], true);
  }

  @Override
  public Forward infer(INDArray... inputs) {
    return forward(inputs[0], false);
  }

  @Override
  public void backwardAndUpdate(INDArray dLossDProjection, int iteration, int batchSize) {
    backward(dLossDProjection);
    if (updaterConfig instanceof Nesterovs nesterovs && trainable.dataType() == DataType.FLOAT
        && HostValues.reachable(trainable, gradient, updaterState)) {
      nesterovStep(nesterovs, iteration, batchSize);
      return;
    }
    gradient.divi(batchSize);
    updater.applyUpdater(gradient, iteration, 0); // gradient := update
    if (weightDecay > 0) {
      // DL4J's WeightDecay(applyLR = true), applied after the updater
      double scale = updaterConfig.getLearningRate(iteration, 0) * weightDecay;
      for (INDArray[] weightAndUpdate : decayed) { // update += scale x weight, no temporary
        Nd4j.getBlasWrapper().level1().axpy(weightAndUpdate[0].length(), scale,
            weightAndUpdate[0], weightAndUpdate[1]);
      }
    }
    trainable.subi(gradient);
  }

  /**
   * The update of the ND4J path above - gradient / B, ND4J's Nesterov momentum (v := mu v - lr g;
   * update = mu v_prev - (1 + mu) v), plus lr x weight decay x weight on the weights, subtracted
   * from the parameters - as one Java pass over the parameters, the gradient and v, in chunks,
   * its ranges shared by the cores ({@link FixedRanges}).
   * The ND4J path is five passes over the ~1.7M parameters of the default encoder, each an op
   * dispatch and a thread fork (issue 20, "Where the time goes"). In float, as ND4J's ops are:
   * the pass is memory-bound, and widening to double cost more than it saved.
   */
  private void nesterovStep(Nesterovs nesterovs, int iteration, int batchSize) {
    float lr = (float) nesterovs.getLearningRate(iteration, 0);
    float mu = (float) nesterovs.currentMomentum(iteration, 0);
    float step = lr / batchSize; // lr x the gradient of the mean loss
    float decayRate = (float) (lr * weightDecay);
    FixedRanges ranges = FixedRanges.of((int) trainable.length()); // element-wise: any cut
    ranges.forEach(3 * trainable.length(), r -> {
      float[] w = new float[CHUNK];
      float[] g = new float[CHUNK];
      float[] v = new float[CHUNK];
      for (Run run : runs) {
        float decay = run.decayed() ? decayRate : 0;
        long to = Math.min(run.to(), ranges.to(r));
        for (long from = Math.max(run.from(), ranges.from(r)); from < to; from += CHUNK) {
          int n = (int) Math.min(CHUNK, to - from);
          HostValues.readFloats(trainable, from, w, n);
          HostValues.readFloats(gradient, from, g, n);
          HostValues.readFloats(updaterState, from, v, n);
          for (int i = 0; i < n; i++) {
            float vPrev = v[i];
            v[i] = mu * vPrev - step * g[i];
            w[i] -= mu * vPrev - (1 + mu) * v[i] + decay * w[i];
          }
          HostValues.writeFloats(w, n, trainable, from);
          HostValues.writeFloats(v, n, updaterState, from);
        }
      }
    });
  }

  /** Values per chunk of the fused update: three chunks stay in the core's cache. */
  private static final int CHUNK = 8192;

  /** [from, to) of the trainable vector, weights under decay or not. */
  private record Run(long from, long to, boolean decayed) {

    /** Runs covering [0, length): the decayed spans (in order) and the gaps between them. */
    static List<Run> cover(List<long[]> decayedSpans, long length) {
      List<Run> runs = new ArrayList<>();
      long at = 0;
      for (long[] span : decayedSpans) {
        if (span[0] > at) {
          runs.add(new Run(at, span[0], false));
        }
        runs.add(new Run(span[0], span[1], true));
        at = span[1];
      }
      if (at < length) {
        runs.add(new Run(at, length, false));
      }
      return runs;
    }
  }

  /**
   * Backpropagates {@code dOutput} (the gradient with respect to the chain's output) through the
   * last training forward, leaving the parameter gradient - of the summed loss, not yet divided
   * by the batch size - in {@link #gradient()}.
   */
  void backward(INDArray dOutput) {
    INDArray d = dOutput;
    for (int i = layers.size() - 1; i >= firstWithParams; i--) {
      d = layers.get(i).backward(d, i > firstWithParams);
    }
  }

  /** The parameter gradient of the last {@link #backward}, 1 x (trainable parameters). */
  INDArray gradient() {
    return gradient;
  }

  /** The trainable part of the parameters, 1 x T (a view). */
  INDArray trainableView() {
    return trainable;
  }

  @Override
  public INDArray prototypes() {
    return prototypes == null ? null : prototypes.weight();
  }

  @Override
  public INDArray paramsView() {
    return params;
  }

  @Override
  protected INDArray updaterStateView() {
    return updaterState;
  }

  private Forward forward(INDArray images, boolean training) {
    INDArray x = images.dataType() == params.dataType() ? images : images.castTo(params.dataType());
    INDArray[] taps = new INDArray[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      x = layers.get(i).forward(x, training);
      taps[i] = x;
      if (i == representationEnd && preActivation) {
        x = x.dup(); // the head opens with a ReLU in place: the representation outlives it
      }
    }
    return new Forward(taps[representationEnd], taps[projectionEnd],
        predictionEnd < 0 ? null : taps[predictionEnd],
        prototypes == null ? null : taps[layers.size() - 1]);
  }

  /** The layers of one encoder and where its outputs are. */
  private static final class Chain {
    final List<GemmLayer> layers = new ArrayList<>();
    int representationEnd;
    boolean preActivation;
    int projectionEnd;
    int predictionEnd = -1;
    Linear prototypes;

    static Chain of(EncoderConfig c, int predictorHidden, int prototypes) {
      Chain chain = new Chain();
      chain.preActivation = chain.backbone(c);
      chain.representationEnd = chain.layers.size() - 1;
      if (chain.preActivation) {
        chain.add(new Relu()); // the backbone's last activation, past the representation
      }
      int rep = c.representationDim();
      int hidden = c.projectionHidden();
      int dim = c.projectionDim();
      if (predictorHidden > 0) {
        chain.batchNormMlp(rep, hidden, dim);
        chain.projectionEnd = chain.layers.size() - 1;
        chain.batchNormMlp(dim, predictorHidden, dim);
        chain.predictionEnd = chain.layers.size() - 1;
        return chain;
      }
      if (hidden == 0) {
        chain.add(new Linear(rep, dim, true));
      } else {
        chain.add(new Linear(rep, hidden, true));
        chain.add(new Relu());
        chain.add(new Linear(hidden, dim, true));
      }
      chain.projectionEnd = chain.layers.size() - 1;
      if (prototypes > 0) {
        chain.add(new L2Normalize());
        chain.prototypes = new Linear(dim, prototypes, false);
        chain.add(chain.prototypes);
      }
      return chain;
    }

    /**
     * Adds the backbone's layers; true when its output is the pre-activation of its last layer
     * (the MLP kinds), whose ReLU the caller adds after the representation.
     */
    private boolean backbone(EncoderConfig c) {
      int w = c.baseWidth();
      switch (c.kind()) {
        case GEMM_CNN -> {
          stem(c);
          Im2colConvolution block = add(new Im2colConvolution(2L * w, 4L * w, 3, 1,
              ceilDiv(c.height(), EncoderGraphs.PATCH), ceilDiv(c.width(), EncoderGraphs.PATCH)));
          add(new BatchNormRelu(4L * w));
          add(new GlobalAveragePooling(block.outPositions()));
          return false;
        }
        case GEMM_MLP -> {
          add(new Flatten(1));
          batchNormDense(c.inputSize(), 16L * w);
          batchNormDenseOutput(16L * w, 8L * w);
          return true;
        }
        case PATCH_MLP -> {
          Im2colConvolution stem = stem(c);
          add(new Flatten(stem.outPositions()));
          batchNormDense(stem.outPositions() * 2 * w, 16L * w);
          batchNormDenseOutput(16L * w, 8L * w);
          return true;
        }
        case VIT -> {
          vit(c);
          return false;
        }
        default -> throw new IllegalArgumentException(c.kind() + " is a DL4J graph encoder");
      }
    }

    /** Frozen patch embedding, transformer blocks, layer norm, mean over the tokens. */
    private void vit(EncoderConfig c) {
      int dim = c.representationDim();
      FrozenPatchEmbedding patches = add(new FrozenPatchEmbedding(c.channels(), c.height(),
          c.width(), EncoderGraphs.PATCH, dim, c.seed()));
      for (int i = 0; i < c.blocksPerStage(); i++) {
        add(new TransformerBlock(patches.tokens(), dim, TransformerBlock.heads(dim)));
      }
      add(new LayerNorm(dim));
      add(new GlobalAveragePooling(patches.tokens()));
    }

    /** Channels last, then the 4x4 stride-4 patchify convolution to 2w channels, BN, ReLU. */
    private Im2colConvolution stem(EncoderConfig c) {
      add(new ChannelsLast());
      Im2colConvolution stem = add(new Im2colConvolution(c.channels(), 2L * c.baseWidth(),
          EncoderGraphs.PATCH, EncoderGraphs.PATCH, c.height(), c.width()));
      add(new BatchNormRelu(2L * c.baseWidth()));
      return stem;
    }

    private void batchNormDense(long in, long out) {
      add(new Linear(in, out, false));
      add(new BatchNormRelu(out));
    }

    /** fc-BN without its ReLU: the last backbone layer, whose pre-activation is the output. */
    private void batchNormDenseOutput(long in, long out) {
      add(new Linear(in, out, false));
      add(BatchNormRelu.withoutRelu(out));
    }

    /** fc-BN-ReLU-fc, as the projector and predictor of BYOL, SimSiam and MoCo v3. */
    private void batchNormMlp(long in, long hidden, long out) {
      batchNormDense(in, hidden);
      add(new Linear(hidden, out, true));
    }

    private <L extends GemmLayer> L add(L layer) {
      layers.add(layer);
      return layer;
    }

    private static int ceilDiv(int n, int d) {
      return (n + d - 1) / d;
    }
  }
}
