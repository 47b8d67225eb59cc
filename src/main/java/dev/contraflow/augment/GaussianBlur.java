package dev.contraflow.augment;

import dev.contraflow.io.image.Image;

/**
 * Random Gaussian blur (SimCLR, Chen et al. 2020, appendix A; MoCo v2 applies it with p = 0.5):
 * sigma uniform in [sigmaMin, sigmaMax] = [0.1, 2.0] pixels, kernel about 10% of the image side
 * (23 taps at 224 px, as SimCLR; at least 3), cut to 3 sigma when that is shorter. Removes
 * fine texture, so the encoder cannot match two crops by their high-frequency noise alone.
 *
 * <p>Separable: a 1-D kernel along rows, then along columns. Borders reflect without repeating
 * the edge pixel (torchvision's {@code padding_mode="reflect"}), so a constant image stays
 * constant.
 */
public final class GaussianBlur implements ImageAugmentation {

  private final double p;
  private final double sigmaMin;
  private final double sigmaMax;

  /**
   * @param p probability of blurring, in [0, 1]
   * @param sigmaMin smallest standard deviation in pixels, > 0
   * @param sigmaMax largest standard deviation in pixels, >= sigmaMin
   */
  public GaussianBlur(double p, double sigmaMin, double sigmaMax) {
    this.p = Probability.require("GaussianBlur", "p", p);
    if (!(sigmaMin > 0 && Double.isFinite(sigmaMin))) {
      throw new IllegalArgumentException("GaussianBlur.sigmaMin must be a finite number of pixels"
          + " > 0, got " + sigmaMin + " (MoCo v2 uses 0.1; set p = 0 to disable blur)");
    }
    if (!(sigmaMax >= sigmaMin && Double.isFinite(sigmaMax))) {
      throw new IllegalArgumentException("GaussianBlur.sigmaMax must be finite and >= sigmaMin,"
          + " got sigmaMax=" + sigmaMax + " with sigmaMin=" + sigmaMin + " (MoCo v2 uses 2.0)");
    }
    this.sigmaMin = sigmaMin;
    this.sigmaMax = sigmaMax;
  }

  /** MoCo v2's blur: half of the views, sigma 0.1 to 2 pixels. */
  public GaussianBlur() {
    this(0.5, 0.1, 2.0);
  }

  /** Largest kernel radius: half of 10% of the shorter side, at least 1 (a 3-tap kernel). */
  static int largestRadius(int height, int width) {
    return Math.max(1, Math.min(height, width) / 10 / 2);
  }

  @Override
  public Image apply(Image in, Rng rng) {
    if (!rng.bernoulli(p)) {
      return in;
    }
    double sigma = rng.uniform(sigmaMin, sigmaMax);
    // Taps beyond 3 sigma carry under 0.3% of the weight: dropping them changes nothing visible
    // and makes the common small-sigma blur several times cheaper at 224 px.
    int radius = Math.min(largestRadius(in.height(), in.width()), (int) Math.ceil(3 * sigma));
    float[] kernel = kernel(sigma, radius);
    int[] columns = reflectedIndices(in.width(), radius);
    int[] rows = reflectedIndices(in.height(), radius);
    int plane = in.height() * in.width();
    float[] out = new float[in.pixels().length];
    float[] across = new float[plane]; // one channel blurred along rows: height x width
    for (int c = 0; c < in.channels(); c++) {
      blurRows(in.pixels(), c * plane, in.width(), in.height(), kernel, columns, across);
      blurColumns(across, in.width(), kernel, rows, out, c * plane);
    }
    return new Image(in.id(), in.channels(), in.height(), in.width(), out);
  }

  /** Normalised taps exp(-x^2 / 2 sigma^2) for x in [-radius, radius]. */
  private static float[] kernel(double sigma, int radius) {
    double[] raw = new double[2 * radius + 1];
    double total = 0;
    for (int x = -radius; x <= radius; x++) {
      raw[x + radius] = Math.exp(-(x * x) / (2 * sigma * sigma));
      total += raw[x + radius];
    }
    float[] kernel = new float[raw.length];
    for (int i = 0; i < raw.length; i++) {
      kernel[i] = (float) (raw[i] / total);
    }
    return kernel;
  }

  /**
   * Source index of each padded position {@code -radius .. size - 1 + radius}, reflected at the
   * borders (..., 2, 1, [0, 1, ..., n-1], n-2, ...); a 1-pixel axis repeats its only pixel.
   */
  private static int[] reflectedIndices(int size, int radius) {
    int[] index = new int[size + 2 * radius];
    int period = 2 * (size - 1);
    for (int i = 0; i < index.length; i++) {
      int m = period == 0 ? 0 : Math.floorMod(i - radius, period);
      index[i] = m < size ? m : period - m;
    }
    return index;
  }

  /**
   * Blurs each row of one channel into {@code across}. The row is first copied with its reflected
   * border into {@code padded}, so the tap loop reads contiguous memory and the JIT can vectorise
   * it.
   */
  private static void blurRows(float[] src, int offset, int width, int height, float[] kernel,
      int[] columns, float[] across) {
    float[] padded = new float[columns.length]; // one row: radius + width + radius
    for (int y = 0; y < height; y++) {
      int row = offset + y * width;
      for (int j = 0; j < padded.length; j++) {
        padded[j] = src[row + columns[j]];
      }
      int dst = y * width;
      for (int x = 0; x < width; x++) {
        across[dst + x] = kernel[0] * padded[x];
      }
      for (int k = 1; k < kernel.length; k++) {
        float weight = kernel[k];
        for (int x = 0; x < width; x++) {
          across[dst + x] += weight * padded[x + k];
        }
      }
    }
  }

  /** Accumulates whole rows so the inner loop runs over contiguous memory. */
  private static void blurColumns(float[] across, int width, float[] kernel, int[] rows,
      float[] out, int offset) {
    int height = rows.length - (kernel.length - 1);
    for (int y = 0; y < height; y++) {
      int dst = offset + y * width;
      for (int k = 0; k < kernel.length; k++) {
        float weight = kernel[k];
        int src = rows[y + k] * width;
        for (int x = 0; x < width; x++) {
          out[dst + x] += weight * across[src + x];
        }
      }
      for (int x = 0; x < width; x++) {
        out[dst + x] = Math.min(1f, Math.max(0f, out[dst + x]));
      }
    }
  }
}
