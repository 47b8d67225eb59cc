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
 * <p>The gather is k*k strided copies (one per kernel offset) of the whole batch: plain ND4J view
 * ops, so any backend runs them, and few enough that per-op overhead does not matter.
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
  /**
   * The gathers of training steps reuse their buffers while the batch size stays (tens of MB a
   * step otherwise left to the garbage collector); inference allocates its own, so an embedding
   * between a training forward and its backward leaves the kept patches alone.
   */
  private final Scratch forwardScratch = new Scratch();
  private final Scratch backwardScratch = new Scratch();

  /** A zero-bordered padded input and a patch matrix, kept between calls of one shape. */
  private static final class Scratch {
    INDArray padded;
    INDArray patches;

    /** A zero-filled array of the shape; kept and reused (zero border intact) when it fits. */
    INDArray padded(INDArray like, long... shape) {
      if (padded == null || !java.util.Arrays.equals(padded.shape(), shape)) {
        padded = NativeMemory.persistent(() -> Nd4j.zeros(like.dataType(), shape));
      }
      return padded;
    }

    INDArray patches(INDArray like, long... shape) {
      if (patches == null || !java.util.Arrays.equals(patches.shape(), shape)) {
        patches = NativeMemory.persistent(() -> Nd4j.createUninitialized(like.dataType(), shape));
      }
      return patches;
    }
  }

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
    INDArray c = im2col(x.reshape('c', b, height, width, in), padTop, padLeft, paddedHeight,
        paddedWidth, stride, outHeight, outWidth, training ? forwardScratch : new Scratch());
    // c: (B*oh*ow) x (k*k*in)
    cols = training ? c : null;
    return Gemm.gemm(c, w.value(), false, false); // (B*oh*ow) x out
  }

  /**
   * dW = cols^T dy. With stride 1, dx is itself a convolution: of dy, padded so that every input
   * position sees the outputs it fed, with the kernel flipped in space and in and out swapped -
   * the same gather and one GEMM, instead of a scatter-add of k*k strided views (col2im), which
   * ND4J runs several times slower than a copy.
   */
  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    Gemm.gemm(cols, dy, w.gradient(), true, false, 1.0, 0.0); // (k*k*in) x out
    cols = null;
    if (!inputGradient) {
      return null;
    }
    if (stride != 1) {
      throw new UnsupportedOperationException("the input gradient of a strided convolution"
          + " (stride " + stride + ") is not implemented; contraflow's strided stems see the"
          + " images, which need none");
    }
    long b = dy.size(0) / outPositions();
    int backTop = k - 1 - padTop;
    int backLeft = k - 1 - padLeft;
    INDArray dCols = im2col(dy.reshape('c', b, outHeight, outWidth, out), backTop, backLeft,
        height + k - 1, width + k - 1, 1, height, width, backwardScratch); // (B*h*w) x (k*k*out)
    return Gemm.gemm(dCols, flippedKernel(), false, false); // (B*h*w) x in
  }

  /** The kernel for the input gradient: W'[ky, kx, o, c] = W[k-1-ky, k-1-kx, c, o], (k*k*out) x in. */
  private INDArray flippedKernel() {
    int offsets = k * k;
    // flipping (ky, kx) to (k-1-ky, k-1-kx) reverses the order of the k*k kernel offsets
    INDArray byOffset = w.value().reshape('c', offsets, in * out);
    INDArray reversed = Nd4j.create(byOffset.dataType(), offsets, in * out);
    for (int p = 0; p < offsets; p++) {
      reversed.getRow(p).assign(byOffset.getRow(offsets - 1 - p));
    }
    return reversed.reshape('c', offsets, in, out).permute(0, 2, 1).dup('c')
        .reshape('c', (long) offsets * out, in);
  }

  /**
   * Rows of k x k patches: x (B x H x W x C) zero-padded by {@code top}/{@code left} to
   * {@code rows} x {@code columns}, read with stride s at {@code outRows} x {@code outColumns}
   * positions, become (B*outRows*outColumns) x (k*k*C), columns ordered (ky, kx, c).
   */
  private INDArray im2col(INDArray x, int top, int left, int rows, int columns, int s,
      int outRows, int outColumns, Scratch scratch) {
    long b = x.size(0);
    long c = x.size(3);
    INDArray src = x;
    if (rows != x.size(1) || columns != x.size(2)) {
      src = scratch.padded(x, b, rows, columns, c);
      src.get(all(), interval(top, top + x.size(1)), interval(left, left + x.size(2)), all())
          .assign(x);
    }
    INDArray patches = scratch.patches(x, b, outRows, outColumns, k * k, c);
    for (int ky = 0; ky < k; ky++) {
      for (int kx = 0; kx < k; kx++) {
        patches.get(all(), all(), all(), point(ky * k + kx), all())
            .assign(src.get(all(), interval(ky, s, ky + (long) (outRows - 1) * s + 1),
                interval(kx, s, kx + (long) (outColumns - 1) * s + 1), all()));
      }
    }
    return patches.reshape('c', b * outRows * outColumns, (long) k * k * c);
  }

  private static int ceilDiv(int n, int d) {
    return (n + d - 1) / d;
  }
}
