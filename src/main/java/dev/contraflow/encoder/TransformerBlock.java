package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One pre-norm ViT block (Dosovitskiy et al. 2021, equations 2-3) on (B*P) x D token rows:
 * x' = x + proj(attention(qkv(LN(x)))), then x'' = x' + fc2(act(fc1(LN(x')))), with an MLP of 4D
 * hidden units. The residual stream is why this is one layer of the chain rather than eight: its
 * backward adds the gradient that skips each branch to the one through it.
 *
 * <p>A simplification: the MLP's activation is ReLU, not the paper's GELU (no GELU derivative
 * among the chain's in-place ops; on small images the two train alike).
 */
final class TransformerBlock implements GemmLayer {

  /** The ViT's MLP width, as a multiple of D. */
  static final int MLP_RATIO = 4;

  private final LayerNorm attentionNorm;
  private final Linear qkv;
  private final MultiHeadSelfAttention attention;
  private final Linear attentionOut;
  private final LayerNorm mlpNorm;
  private final Linear fc1;
  private final Relu activation = new Relu();
  private final Linear fc2;
  private final GemmLayer[] parts;

  /**
   * Heads of 32 dimensions where D divides into them (D = 128 gives 4), else one: small enough
   * heads for several at this project's widths, where the ViT's 64 would leave one or two.
   */
  static long heads(long dim) {
    return dim % 32 == 0 ? dim / 32 : 1;
  }

  TransformerBlock(long tokens, long dim, long heads) {
    attentionNorm = new LayerNorm(dim);
    qkv = new Linear(dim, 3 * dim, true);
    attention = new MultiHeadSelfAttention(tokens, dim, heads);
    attentionOut = new Linear(dim, dim, true);
    mlpNorm = new LayerNorm(dim);
    fc1 = new Linear(dim, MLP_RATIO * dim, true);
    fc2 = new Linear(MLP_RATIO * dim, dim, true);
    parts = new GemmLayer[] {attentionNorm, qkv, attention, attentionOut, mlpNorm, fc1,
        activation, fc2};
  }

  @Override
  public long numParams() {
    long n = 0;
    for (GemmLayer part : parts) {
      n += part.numParams();
    }
    return n;
  }

  @Override
  public void bind(ParameterLayout layout) {
    for (GemmLayer part : parts) {
      part.bind(layout);
    }
  }

  @Override
  public INDArray forward(INDArray x, boolean training) {
    // x: (B*P) x D; each branch's last GEMM output is fresh, so the residual adds in place there
    INDArray a = attentionOut.forward(attention.forward(
        qkv.forward(attentionNorm.forward(x, training), training), training), training);
    INDArray afterAttention = a.addi(x);
    INDArray m = fc2.forward(activation.forward(fc1.forward(
        mlpNorm.forward(afterAttention, training), training), training), training);
    return m.addi(afterAttention); // (B*P) x D
  }

  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    // the MLP branch, plus the residual's identity
    INDArray dAfterAttention = mlpNorm.backward(
        fc1.backward(activation.backward(fc2.backward(dy, true), true), true), true).addi(dy);
    // the attention branch, plus the residual's identity
    INDArray dNormed = qkv.backward(attention.backward(
        attentionOut.backward(dAfterAttention, true), true), true);
    INDArray dx = attentionNorm.backward(dNormed, inputGradient);
    return inputGradient ? dx.addi(dAfterAttention) : null;
  }
}
