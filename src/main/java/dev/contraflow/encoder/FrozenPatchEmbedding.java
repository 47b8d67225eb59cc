package dev.contraflow.encoder;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A ViT's patch embedding as MoCo v3 trains it (Chen, Xie and He 2021, section 4.2): images are
 * cut into non-overlapping p x p patches, each projected linearly to D values by a matrix left at
 * its random initialisation, then the fixed 2-D sin-cos position embedding is added. Freezing the
 * projection is the paper's stability trick: the sudden loss spikes of ViT training start in the
 * first layer's gradients, and a frozen random patch projection avoids them at no cost in
 * accuracy.
 *
 * <p>Neither the projection nor the position embedding is a parameter: both are functions of the
 * encoder's seed, so the model file's config rebuilds them exactly and the momentum encoder's
 * averaging cannot move them by a rounding error.
 */
final class FrozenPatchEmbedding implements GemmLayer {

  private final int channels;
  private final int patch;
  private final int rows; // patches down
  private final int columns; // patches across
  private final int dim;
  private final double[] projection; // (C*p*p) x D, row-major
  private final double[] position; // P x D, row-major
  private INDArray projectionArray;
  private INDArray positionArray;

  FrozenPatchEmbedding(int channels, int height, int width, int patch, int dim, long seed) {
    if (height % patch != 0 || width % patch != 0 || dim % 4 != 0) {
      throw new IllegalArgumentException("a ViT needs an input of whole " + patch + "x" + patch
          + " patches and a dimension divisible by 4, got " + height + "x" + width + " and "
          + dim);
    }
    this.channels = channels;
    this.patch = patch;
    this.rows = height / patch;
    this.columns = width / patch;
    this.dim = dim;
    this.projection = xavierUniform(channels * patch * patch, dim, new SplittableRandom(seed).split()); // a stream apart from the parameters'
    this.position = sinCosPositions(rows, columns, dim);
  }

  /** Tokens per image: P = (H / p) (W / p). */
  long tokens() {
    return (long) rows * columns;
  }

  /**
   * MoCo v3's initialisation of the patch projection: uniform on +-sqrt(6 / (fan in + fan out))
   * (Glorot and Bengio 2010).
   */
  private static double[] xavierUniform(int in, int out, SplittableRandom rng) {
    double bound = Math.sqrt(6.0 / (in + out));
    double[] w = new double[in * out];
    for (int i = 0; i < w.length; i++) {
      w[i] = (2 * rng.nextDouble() - 1) * bound;
    }
    return w;
  }

  /**
   * MoCo v3's 2-D sin-cos position embedding: a quarter of the D values each for sin and cos of
   * the patch's column and of its row, at frequencies 1 / 10000^(i / (D/4)).
   */
  static double[] sinCosPositions(int rows, int columns, int dim) {
    int quarter = dim / 4;
    double[] e = new double[rows * columns * dim];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        int at = (r * columns + c) * dim;
        for (int i = 0; i < quarter; i++) {
          double omega = 1 / Math.pow(10000, (double) i / quarter);
          e[at + i] = Math.sin(c * omega);
          e[at + quarter + i] = Math.cos(c * omega);
          e[at + 2 * quarter + i] = Math.sin(r * omega);
          e[at + 3 * quarter + i] = Math.cos(r * omega);
        }
      }
    }
    return e;
  }

  @Override
  public INDArray forward(INDArray images, boolean training) {
    bindTo(images.dataType());
    long b = images.size(0);
    // B x C x H x W -> (B*P) x (C*p*p), each row one patch, columns (c, y, x) as a conv kernel's
    INDArray patches = images.reshape('c', b, channels, rows, patch, columns, patch)
        .permute(0, 2, 4, 1, 3, 5).dup('c')
        .reshape('c', b * tokens(), (long) channels * patch * patch);
    INDArray x = Gemm.gemm(patches, projectionArray, false, false); // (B*P) x D
    // every example's P tokens get the P position rows
    return x.reshape('c', b, tokens() * dim).addiRowVector(positionArray)
        .reshape('c', b * tokens(), dim);
  }

  /** No gradient: nothing here is trained, and the layer sees the images. */
  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    return null;
  }

  private void bindTo(DataType type) {
    if (projectionArray == null || projectionArray.dataType() != type) {
      projectionArray = NativeMemory.persistent(() -> Nd4j.create(projection,
          new long[] {(long) channels * patch * patch, dim}, type));
      positionArray = NativeMemory.persistent(() -> Nd4j.create(position,
          new long[] {1, tokens() * dim}, type)); // 1 x (P*D)
    }
  }
}
