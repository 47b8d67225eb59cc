package dev.contraflow.augment;

import dev.contraflow.io.Image;

/**
 * Gaussian blur with sigma uniform in [sigmaMin, sigmaMax] (SimCLR / MoCo v2: 0.1-2.0, p = 0.5),
 * as a separable kernel about a tenth of the image side (odd, at least 3), borders clamped.
 */
public final class GaussianBlur implements ImageAugmentation {

  private final double p;
  private final double sigmaMin;
  private final double sigmaMax;

  public GaussianBlur(double p, double sigmaMin, double sigmaMax) {
    ImageAugmentation.requireProbability("blur p", p);
    if (!(sigmaMin > 0 && sigmaMin <= sigmaMax)) {
      throw new IllegalArgumentException("blur sigma must satisfy 0 < sigmaMin <= sigmaMax, got "
          + sigmaMin + ", " + sigmaMax + " (MoCo v2: 0.1, 2.0)");
    }
    this.p = p;
    this.sigmaMin = sigmaMin;
    this.sigmaMax = sigmaMax;
  }

  @Override
  public Image apply(Image in, Rng rng) {
    if (!rng.bernoulli(p)) {
      return in;
    }
    float[] kernel = kernel(rng.uniform(sigmaMin, sigmaMax), Math.min(in.height(), in.width()));
    float[] tmp = new float[in.size()];
    float[] out = new float[in.size()];
    blurRows(in.pixels(), tmp, in.channels() * in.height(), in.width(), kernel);
    blurColumns(tmp, out, in.channels(), in.height(), in.width(), kernel);
    return new Image(in.id(), in.channels(), in.height(), in.width(), out);
  }

  static float[] kernel(double sigma, int side) {
    int size = Math.max(3, (side / 10) | 1);
    float[] k = new float[size];
    int r = size / 2;
    double sum = 0;
    for (int i = 0; i < size; i++) {
      k[i] = (float) Math.exp(-((i - r) * (i - r)) / (2 * sigma * sigma));
      sum += k[i];
    }
    for (int i = 0; i < size; i++) {
      k[i] /= (float) sum;
    }
    return k;
  }

  /** Convolves each row (length w) of src with k. */
  private static void blurRows(float[] src, float[] dst, int rows, int w, float[] k) {
    int r = k.length / 2;
    for (int row = 0; row < rows; row++) {
      int base = row * w;
      for (int x = 0; x < w; x++) {
        float s = 0;
        for (int i = 0; i < k.length; i++) {
          s += k[i] * src[base + Math.min(Math.max(x + i - r, 0), w - 1)];
        }
        dst[base + x] = s;
      }
    }
  }

  /** Convolves each column of each of {@code planes} h x w planes with k. */
  private static void blurColumns(float[] src, float[] dst, int planes, int h, int w, float[] k) {
    int r = k.length / 2;
    for (int c = 0; c < planes; c++) {
      int base = c * h * w;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float s = 0;
          for (int i = 0; i < k.length; i++) {
            s += k[i] * src[base + Math.min(Math.max(y + i - r, 0), h - 1) * w + x];
          }
          dst[base + y * w + x] = Math.min(1f, Math.max(0f, s)); // float rounding can pass 1
        }
      }
    }
  }
}
