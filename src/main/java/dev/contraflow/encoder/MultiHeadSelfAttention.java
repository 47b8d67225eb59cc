package dev.contraflow.encoder;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Scaled dot-product attention (Vaswani et al. 2017) of every token over its own example's P
 * tokens, in H heads of D / H dimensions: softmax(Q K^T / sqrt(D / H)) V per head. It has no
 * parameters: the query, key and value projections are the {@link Linear} before it (one GEMM to
 * 3D columns, [Q | K | V]) and the output projection the one after it. Each example's heads are
 * one batch of ND4J's batched matmul, B*H matrices of P x P.
 */
final class MultiHeadSelfAttention implements GemmLayer {

  private final long tokens;
  private final long dim;
  private final long heads;
  private final long headDim;
  private final double scale;
  // kept for backward, each (B*H) x P x D/H, or (B*H) x P x P for the attention
  private INDArray q;
  private INDArray k;
  private INDArray v;
  private INDArray attention;

  MultiHeadSelfAttention(long tokens, long dim, long heads) {
    if (heads < 1 || dim % heads != 0) {
      throw new IllegalArgumentException("attention heads must divide the dimension " + dim
          + ", got " + heads + " heads");
    }
    this.tokens = tokens;
    this.dim = dim;
    this.heads = heads;
    this.headDim = dim / heads;
    this.scale = 1 / Math.sqrt(headDim);
  }

  @Override
  public INDArray forward(INDArray qkv, boolean training) {
    // qkv: (B*P) x 3D
    INDArray qh = splitHeads(qkv.get(all(), interval(0, dim))); // (B*H) x P x D/H
    INDArray kh = splitHeads(qkv.get(all(), interval(dim, 2 * dim)));
    INDArray vh = splitHeads(qkv.get(all(), interval(2 * dim, 3 * dim)));
    INDArray a = softmaxRows(Nd4j.matmul(qh, kh, false, true, false).muli(scale)); // (B*H) x P x P
    if (training) {
      q = qh;
      k = kh;
      v = vh;
      attention = a;
    }
    return mergeHeads(Nd4j.matmul(a, vh)); // (B*P) x D
  }

  /**
   * With S = Q K^T / sqrt(D/H) and A = softmax(S) per row: dV = A^T dO, dA = dO V^T, dS = A *
   * (dA - rowsum(dA * A)) (the softmax's Jacobian), dQ = dS K / sqrt(D/H), dK = dS^T Q /
   * sqrt(D/H).
   */
  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    INDArray dOut = splitHeads(dy); // (B*H) x P x D/H
    INDArray dv = Nd4j.matmul(attention, dOut, true, false, false);
    INDArray dA = Nd4j.matmul(dOut, v, false, true, false); // (B*H) x P x P
    INDArray rows = dA.reshape(dA.length() / tokens, tokens);
    INDArray weights = attention.reshape(rows.shape());
    INDArray dS = rows.subColumnVector(rows.mul(weights).sum(1).reshape(rows.size(0), 1))
        .muli(weights).muli(scale).reshape(dA.shape());
    INDArray dq = Nd4j.matmul(dS, k);
    INDArray dk = Nd4j.matmul(dS, q, true, false, false);
    q = null;
    k = null;
    v = null;
    attention = null;
    return Nd4j.hstack(mergeHeads(dq), mergeHeads(dk), mergeHeads(dv)); // (B*P) x 3D
  }

  /** (B*P) x D, columns (head, value), becomes (B*H) x P x D/H. */
  private INDArray splitHeads(INDArray x) {
    long b = x.size(0) / tokens;
    return x.dup('c').reshape('c', b, tokens, heads, headDim).permute(0, 2, 1, 3).dup('c')
        .reshape('c', b * heads, tokens, headDim);
  }

  /** The inverse of {@link #splitHeads}. */
  private INDArray mergeHeads(INDArray x) {
    long b = x.size(0) / heads;
    return x.reshape('c', b, heads, tokens, headDim).permute(0, 2, 1, 3).dup('c')
        .reshape('c', b * tokens, dim);
  }

  /** Softmax over the last axis, in place. */
  private INDArray softmaxRows(INDArray s) {
    INDArray rows = s.reshape(s.length() / tokens, tokens);
    rows.subiColumnVector(rows.max(1).reshape(rows.size(0), 1));
    Transforms.exp(rows, false);
    rows.diviColumnVector(rows.sum(1).reshape(rows.size(0), 1));
    return s;
  }
}
