package dev.contraflow.encoder;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A k x k convolution with stride s and 'same' padding (DL4J's ConvolutionMode.Same: output
 * ceil(H / s), the extra padding at the bottom and right), no bias, as one GEMM: im2col gathers
 * every output position's k x k x C input patch into a row, and the kernel is a (k*k*C) x out
 * matrix. Activations are channels-last rows, (B*H*W) x C.
 *
 * <p>The gather is k*k strided copies (one per kernel offset) of the whole batch, and its
 * backward (col2im) k*k strided additions: plain ND4J view ops, so any backend runs them, and
 * few enough that per-op overhead does not matter.
 */
final class Im2colConvolution implements GemmLayer {

  private final long in;
  private final long out;
  private final int k;
  private final int stride;
  private final int height;
  private final int width;
  private final int outHeight;
  private final int outWidth;
  private final int padTop;
  private final int padLeft;
  private final int paddedHeight;
  private final int paddedWidth;
  private ParameterLayout.Slot w; // (k*k*in) x out
  private INDArray cols; // (B*oh*ow) x (k*k*in), kept for dW

  Im2colConvolution(long in, long out, int k, int stride, int height, int width) {
    this.in = in;
    this.out = out;
    this.k = k;
    this.stride = stride;
    this.height = height;
    this.width = width;
    this.outHeight = ceilDiv(height, stride);
    this.outWidth = ceilDiv(width, stride);
    int padH = Math.max((outHeight - 1) * stride + k - height, 0);
    int padW = Math.max((outWidth - 1) * stride + k - width, 0);
    this.padTop = padH / 2;
    this.padLeft = padW / 2;
    this.paddedHeight = height + padH;
    this.paddedWidth = width + padW;
  }

  /** Output positions per example. */
  long outPositions() {
    return (long) outHeight * outWidth;
  }

  @Override
  public long numParams() {
    return (long) k * k * in * out;
  }

  @Override
  public void bind(ParameterLayout layout) {
    w = layout.weight((long) k * k * in, out);
  }

  @Override
  public INDArray forward(INDArray x, boolean training) {
    long b = x.size(0) / ((long) height * width);
    INDArray padded = padded(x.reshape('c', b, height, width, in));
    INDArray patches = Nd4j.createUninitialized(x.dataType(), b, outHeight, outWidth, k * k, in);
    for (int ky = 0; ky < k; ky++) {
      for (int kx = 0; kx < k; kx++) {
        patches.get(all(), all(), all(), point(ky * k + kx), all())
            .assign(padded.get(all(), rows(ky), columns(kx), all()));
      }
    }
    INDArray c = patches.reshape('c', b * outPositions(), (long) k * k * in);
    cols = training ? c : null;
    return Nd4j.gemm(c, w.value(), false, false); // (B*oh*ow) x out
  }

  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    Nd4j.gemm(cols, dy, w.gradient(), true, false, 1.0, 0.0); // (k*k*in) x out
    cols = null;
    if (!inputGradient) {
      return null;
    }
    long b = dy.size(0) / outPositions();
    INDArray dPatches = Nd4j.gemm(dy, w.value(), false, true) // (B*oh*ow) x (k*k*in)
        .reshape('c', b, outHeight, outWidth, k * k, in);
    // col2im: each input position collects the gradient of every patch it was copied into
    INDArray dPadded = Nd4j.zeros(dy.dataType(), b, paddedHeight, paddedWidth, in);
    for (int ky = 0; ky < k; ky++) {
      for (int kx = 0; kx < k; kx++) {
        dPadded.get(all(), rows(ky), columns(kx), all())
            .addi(dPatches.get(all(), all(), all(), point(ky * k + kx), all()));
      }
    }
    INDArray dx = paddedHeight == height && paddedWidth == width ? dPadded
        : dPadded.get(all(), interval(padTop, padTop + height), interval(padLeft, padLeft + width),
            all()).dup('c');
    return dx.reshape('c', b * height * width, in);
  }

  /** B x H x W x C, zero-padded to B x H' x W' x C where 'same' needs it. */
  private INDArray padded(INDArray x) {
    if (paddedHeight == height && paddedWidth == width) {
      return x;
    }
    INDArray p = Nd4j.zeros(x.dataType(), x.size(0), paddedHeight, paddedWidth, in);
    p.get(all(), interval(padTop, padTop + height), interval(padLeft, padLeft + width), all())
        .assign(x);
    return p;
  }

  /** The padded rows kernel row {@code ky} reads: ky, ky + s, ... (one per output row). */
  private org.nd4j.linalg.indexing.INDArrayIndex rows(int ky) {
    return interval(ky, stride, ky + (long) (outHeight - 1) * stride + 1);
  }

  private org.nd4j.linalg.indexing.INDArrayIndex columns(int kx) {
    return interval(kx, stride, kx + (long) (outWidth - 1) * stride + 1);
  }

  private static int ceilDiv(int n, int d) {
    return (n + d - 1) / d;
  }
}
