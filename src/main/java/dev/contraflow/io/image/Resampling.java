package dev.contraflow.io.image;

/**
 * Bilinear resampling with PIL's antialiasing: when shrinking, the triangle filter widens with the
 * scale so every source pixel contributes (PIL {@code Image.resize(BILINEAR)}, torchvision's
 * {@code antialias=True}). When enlarging it is plain bilinear interpolation with pixel centres
 * aligned ({@code align_corners=False}); at the same size it is exactly the identity.
 *
 * <p>Without the widening, shrinking a large photo to a small training size samples a few pixels
 * and aliases fine texture into patterns the encoder would learn to match. The decoder fits
 * images to the encoder's input with it, and the augmentations resize their crops with it.
 */
public final class Resampling {

  private Resampling() {}

  /**
   * Resizes the region {@code [top, top + height) x [left, left + width)} of {@code in} to
   * {@code outHeight x outWidth}: first along rows, then along columns (the filter is separable).
   */
  public static Image region(Image in, int top, int left, int height, int width, int outHeight,
      int outWidth) {
    Taps across = Taps.of(width, outWidth);
    Taps down = Taps.of(height, outHeight);
    float[] out = new float[in.channels() * outHeight * outWidth];
    float[] rows = new float[height * outWidth]; // one channel of the region: height x outWidth
    for (int c = 0; c < in.channels(); c++) {
      int origin = (c * in.height() + top) * in.width() + left;
      resampleRows(in.pixels(), origin, in.width(), height, across, rows, outWidth);
      resampleColumns(rows, outWidth, down, out, c * outHeight * outWidth);
    }
    return new Image(in.id(), in.channels(), outHeight, outWidth, out);
  }

  /** rows[y][x] = sum over taps of src[origin + y * srcStride + tap]. */
  private static void resampleRows(float[] src, int origin, int srcStride, int rowCount,
      Taps taps, float[] rows, int outWidth) {
    for (int y = 0; y < rowCount; y++) {
      int row = origin + y * srcStride;
      int dst = y * outWidth;
      for (int x = 0; x < outWidth; x++) {
        int w = x * taps.stride();
        int s = row + taps.first()[x];
        float sum = 0f;
        for (int k = 0; k < taps.count()[x]; k++) {
          sum += taps.weights()[w + k] * src[s + k];
        }
        rows[dst + x] = sum;
      }
    }
  }

  /** Accumulates whole rows so the inner loop runs over contiguous memory. */
  private static void resampleColumns(float[] rows, int width, Taps taps, float[] out,
      int offset) {
    int outHeight = taps.first().length;
    for (int y = 0; y < outHeight; y++) {
      int dst = offset + y * width;
      for (int k = 0; k < taps.count()[y]; k++) {
        float weight = taps.weights()[y * taps.stride() + k];
        int src = (taps.first()[y] + k) * width;
        for (int x = 0; x < width; x++) {
          out[dst + x] += weight * rows[src + x];
        }
      }
      for (int x = 0; x < width; x++) {
        // Normalised non-negative weights keep values in [0, 1] up to float rounding.
        out[dst + x] = Math.min(1f, Math.max(0f, out[dst + x]));
      }
    }
  }

  /**
   * Source taps of each output position along one axis: output {@code o} reads {@code count[o]}
   * inputs from {@code first[o]} with weights {@code weights[o * stride + k]}, summing to 1.
   */
  private record Taps(int[] first, int[] count, float[] weights, int stride) {

    /** PIL's {@code precompute_coeffs} for the triangle (bilinear) filter. */
    static Taps of(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterScale = Math.max(scale, 1.0); // widen only when shrinking
      double support = filterScale; // the triangle reaches 1 input pixel at unit scale
      int stride = (int) Math.ceil(support) * 2 + 1;
      int[] first = new int[outSize];
      int[] count = new int[outSize];
      float[] weights = new float[outSize * stride];
      double[] raw = new double[stride];
      for (int o = 0; o < outSize; o++) {
        double centre = (o + 0.5) * scale;
        int lo = Math.max(0, (int) (centre - support + 0.5));
        int hi = Math.min(inSize, (int) (centre + support + 0.5));
        double total = 0;
        for (int i = lo; i < hi; i++) {
          raw[i - lo] = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / filterScale));
          total += raw[i - lo];
        }
        for (int i = lo; i < hi; i++) {
          weights[o * stride + i - lo] = (float) (raw[i - lo] / total);
        }
        first[o] = lo;
        count[o] = hi - lo;
      }
      return new Taps(first, count, weights, stride);
    }
  }
}
