package dev.contraflow.encoder;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@link TextEncoderKind#HASHED_BAG} sentence encoder: a table E of V hashed token rows of
 * width d, a token's vector the mean of its slots' rows, and the sentence's representation the
 * weighted pool of its token vectors with dropout:
 *
 * <pre>
 * e_t    = (1/S) sum_s E[id_ts]                                   token vector, d
 * r      = drop . (sum_t w_t keep_t . e_t) / sum_t w_t            representation = projection, d
 * </pre>
 *
 * with w_t the pooling weight (IDF, SIF or 1), keep the ConSERT cutoffs and drop SimCSE's dropout
 * mask (one per sentence and dimension: the two views of a sentence differ by it; a
 * simplification of the convolution encoder's mask per token and dimension).
 *
 * <p>Why no head and no convolution: E starts as Gaussian rows, so an IDF-pooled r is a random
 * projection of the IDF-weighted bag of words, whose cosines are TF-IDF's up to noise of about
 * 1/sqrt(d) (Johnson-Lindenstrauss); contrastive training then moves the rows of co-occurring
 * words, refining that geometry instead of replacing it.
 *
 * <p>Sparse updates: a batch touches a few thousand of the V rows, and only those get a gradient
 * and an optimiser step, so the step costs the batch's tokens, not the table: plain SGD (no
 * state), row-wise Adagrad (one accumulator per row, as recommendation models train their
 * embedding tables; V values of state) or lazy Adam (Adam's moments of the touched rows only,
 * bias-corrected by the global step as TensorFlow's LazyAdam; 2 V d values of state). The
 * inputs are {@link TextInputs}'s four arrays, as for the convolution encoder.
 */
final class HashedBagEncoder extends Encoder {

  private static final double ADAM_BETA1 = 0.9;
  private static final double ADAM_BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private final TextEncoderConfig config;
  private final OptimizerConfig optimizer;
  private final int d;
  private final int s;
  private final INDArray table; // 1 x (V d): row v is [v d, (v + 1) d)
  private final FloatBuffer rows; // live view of table
  private final INDArray updaterState; // null for SGD; ADAGRAD: 1 x V; ADAM: 1 x 2Vd, [m | v]
  private final FloatBuffer moments; // live view of updaterState
  /** The last training forward's inputs and masks, for the backward pass. */
  private Kept kept;

  /** What the backward pass needs of a training forward. */
  private record Kept(int b, int t, float[] ids, float[] gate, float[] scale) {}

  private HashedBagEncoder(TextEncoderConfig config, OptimizerConfig optimizer) {
    super(null);
    this.config = config;
    this.optimizer = optimizer;
    this.d = config.width();
    this.s = config.slotsPerToken();
    long v = config.vocabularySize();
    long stateFactor = optimizer.kind() == OptimizerConfig.Kind.ADAM ? 2 : 1;
    if (stateFactor * v * d > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a HASHED_BAG table of " + v + " x " + d + " values"
          + (stateFactor > 1 ? " with Adam's two moments" : "") + " exceeds 2^31 values (use"
          + " fewer tokenizer buckets or a smaller width)");
    }
    if (optimizer.weightDecay() != 0) {
      throw new IllegalArgumentException("optimizer weightDecay must be 0 for a HASHED_BAG"
          + " encoder (its rows move only when a batch touches them), got "
          + optimizer.weightDecay());
    }
    if (optimizer.kind() == OptimizerConfig.Kind.SGD && optimizer.momentum() != 0) {
      throw new IllegalArgumentException("optimizer momentum must be 0 for SGD on a HASHED_BAG"
          + " encoder (a sparse row keeps no velocity), got " + optimizer.momentum()
          + " (or use ADAGRAD)");
    }
    float[] init = new float[(int) (v * d)];
    // N(0, 1/d): a token vector of length about 1, as the convolution encoder's table
    SplittableRandom random = new SplittableRandom(config.seed());
    double std = 1.0 / Math.sqrt(d);
    for (int i = 0; i < init.length; i++) {
      init[i] = (float) (random.nextGaussian() * std);
    }
    long stateSize = switch (optimizer.kind()) {
      case SGD -> 0;
      case ADAGRAD -> v;
      case ADAM -> 2 * v * d;
    };
    // parameters and optimiser state outlive any workspace a caller has open
    try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      this.table = FlatArrays.matrix(init, 1, init.length);
      this.updaterState = stateSize == 0 ? null : Nd4j.create(DataType.FLOAT, 1, stateSize);
    }
    this.rows = table.data().asNio().asFloatBuffer();
    this.moments = updaterState == null ? null : updaterState.data().asNio().asFloatBuffer();
  }

  static HashedBagEncoder build(TextEncoderConfig config, OptimizerConfig optimizer) {
    return new HashedBagEncoder(config, optimizer);
  }

  @Override
  public long numParams() {
    return table.length();
  }

  @Override
  public Forward forwardForTraining(INDArray... inputs) {
    SplittableRandom random = new SplittableRandom(Nd4j.getRandom().nextLong());
    return forward(inputs, random);
  }

  @Override
  public Forward infer(INDArray... inputs) {
    kept = null;
    return forward(inputs, null);
  }

  /** @param random dropout's draws; null in inference (no dropout) */
  private Forward forward(INDArray[] inputs, SplittableRandom random) {
    float[] ids = FlatArrays.copyOut(inputs[0]); // B x (T S)
    float[] keep = FlatArrays.copyOut(inputs[1]); // B x d x T
    float[] weights = FlatArrays.copyOut(inputs[2]); // B x d x T: w_t, 0 on padding
    float[] inverseTotal = FlatArrays.copyOut(inputs[3]); // B x d: 1 / sum_t w_t
    int b = (int) inputs[0].size(0);
    int t = (int) inputs[1].size(2);
    float[] gate = new float[b * d * t]; // w_t keep_t, B x d x T
    for (int i = 0; i < gate.length; i++) {
      gate[i] = weights[i] * keep[i];
    }
    float[] scale = new float[b * d]; // drop / sum_t w_t, B x d
    float keepScale = (float) (1 / (1 - config.dropout()));
    for (int i = 0; i < scale.length; i++) {
      boolean dropped = random != null && config.dropout() > 0
          && random.nextDouble() < config.dropout();
      scale[i] = dropped ? 0f : inverseTotal[i] * (random != null ? keepScale : 1f);
    }
    float[] r = new float[b * d];
    float[] token = new float[d];
    float[] row = new float[d];
    for (int i = 0; i < b; i++) {
      for (int k = 0; k < t; k++) {
        if (weights[i * d * t + k] == 0) {
          continue; // padding
        }
        tokenVector(ids, (i * t + k) * s, token, row);
        for (int f = 0; f < d; f++) {
          r[i * d + f] += gate[(i * d + f) * t + k] * token[f];
        }
      }
      for (int f = 0; f < d; f++) {
        r[i * d + f] *= scale[i * d + f];
      }
    }
    if (random != null) {
      kept = new Kept(b, t, ids, gate, scale);
    }
    return new Forward(FlatArrays.matrix(r, b, d), FlatArrays.matrix(r, b, d), null, null);
  }

  /** e_t: the mean of the token's S slot rows, into {@code token}. */
  private void tokenVector(float[] ids, int from, float[] token, float[] row) {
    Arrays.fill(token, 0f);
    for (int j = 0; j < s; j++) {
      rows.get((int) ids[from + j] * d, row);
      for (int f = 0; f < d; f++) {
        token[f] += row[f];
      }
    }
    for (int f = 0; f < d; f++) {
      token[f] /= s;
    }
  }

  @Override
  public void backwardAndUpdate(INDArray dLossDProjection, int iteration, int batchSize) {
    if (kept == null) {
      throw new IllegalStateException("backwardAndUpdate needs a forwardForTraining first");
    }
    float[] dR = FlatArrays.copyOut(dLossDProjection); // B x d
    int b = kept.b();
    int t = kept.t();
    // dL/dE[id] = sum over the slots that hold id: dR . scale . gate_t / S, over the batch size
    Map<Integer, float[]> gradients = new LinkedHashMap<>(); // touched rows, in a fixed order
    float[] dToken = new float[d];
    for (int i = 0; i < b; i++) {
      for (int k = 0; k < t; k++) {
        if (kept.gate()[i * d * t + k] == 0 && contributesNothing(kept, i, k)) {
          continue; // padding or a cut-off token: no gradient, and its rows are not touched
        }
        for (int f = 0; f < d; f++) {
          dToken[f] = dR[i * d + f] * kept.scale()[i * d + f] * kept.gate()[(i * d + f) * t + k]
              / (s * (float) batchSize);
        }
        for (int j = 0; j < s; j++) {
          float[] g = gradients.computeIfAbsent((int) kept.ids()[(i * t + k) * s + j],
              id -> new float[d]);
          for (int f = 0; f < d; f++) {
            g[f] += dToken[f];
          }
        }
      }
    }
    kept = null;
    float[] row = new float[d];
    for (Map.Entry<Integer, float[]> e : gradients.entrySet()) {
      int id = e.getKey();
      rows.get(id * d, row);
      step(id, row, e.getValue(), iteration + 1);
      rows.put(id * d, row);
    }
  }

  /** Whether every gate of the token is 0 (padding, or a token cut off whole). */
  private boolean contributesNothing(Kept k, int i, int token) {
    for (int f = 0; f < d; f++) {
      if (k.gate()[(i * d + f) * k.t() + token] != 0) {
        return false;
      }
    }
    return true;
  }

  /** One optimiser step on one row, in place; {@code t} counts steps from 1 (Adam's bias). */
  private void step(int id, float[] row, float[] g, int t) {
    double lr = optimizer.learningRate();
    switch (optimizer.kind()) {
      case SGD -> {
        for (int f = 0; f < d; f++) {
          row[f] -= (float) (lr * g[f]);
        }
      }
      case ADAGRAD -> {
        // row-wise: one accumulator of the mean squared gradient per row
        double squares = 0;
        for (int f = 0; f < d; f++) {
          squares += (double) g[f] * g[f];
        }
        float accumulated = moments.get(id) + (float) (squares / d);
        moments.put(id, accumulated);
        float rate = (float) (lr / (Math.sqrt(accumulated) + EPSILON));
        for (int f = 0; f < d; f++) {
          row[f] -= rate * g[f];
        }
      }
      case ADAM -> {
        int m0 = id * d;
        int v0 = (int) table.length() + id * d; // [m | v], 2 V d < 2^31 (constructor)
        double correction1 = 1 - Math.pow(ADAM_BETA1, t);
        double correction2 = 1 - Math.pow(ADAM_BETA2, t);
        for (int f = 0; f < d; f++) {
          float m = (float) (ADAM_BETA1 * moments.get(m0 + f) + (1 - ADAM_BETA1) * g[f]);
          float v = (float) (ADAM_BETA2 * moments.get(v0 + f)
              + (1 - ADAM_BETA2) * (double) g[f] * g[f]);
          moments.put(m0 + f, m);
          moments.put(v0 + f, v);
          row[f] -= (float) (lr * (m / correction1) / (Math.sqrt(v / correction2) + EPSILON));
        }
      }
      default -> throw new IllegalStateException("no sparse update for " + optimizer.kind());
    }
  }

  @Override
  public INDArray prototypes() {
    return null;
  }

  @Override
  public INDArray paramsView() {
    return table;
  }

  @Override
  protected INDArray updaterStateView() {
    return updaterState;
  }
}
