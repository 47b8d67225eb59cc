package dev.contraflow.augment;

import dev.contraflow.io.Image;

/**
 * Inception-style random resized crop (Szegedy et al. 2015; torchvision semantics): a crop of
 * area fraction in [scaleMin, scaleMax] and log-uniform aspect ratio in [ratioMin, ratioMax],
 * bilinearly resized to the output size. After ten failed draws it falls back to a centre crop.
 * The strongest of MoCo v2's augmentations: it forces the encoder to match part to whole.
 */
public final class RandomResizedCrop implements ImageAugmentation {

  private final int outHeight;
  private final int outWidth;
  private final double scaleMin;
  private final double scaleMax;
  private final double logRatioMin;
  private final double logRatioMax;

  public RandomResizedCrop(int outHeight, int outWidth, double scaleMin, double scaleMax,
      double ratioMin, double ratioMax) {
    if (outHeight < 1 || outWidth < 1) {
      throw new IllegalArgumentException(
          "crop output size must be positive, got " + outWidth + "x" + outHeight);
    }
    if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1)) {
      throw new IllegalArgumentException("crop scale must satisfy 0 < scaleMin <= scaleMax <= 1,"
          + " got scaleMin=" + scaleMin + ", scaleMax=" + scaleMax + " (MoCo v2: 0.2, 1.0)");
    }
    if (!(ratioMin > 0 && ratioMin <= ratioMax)) {
      throw new IllegalArgumentException("crop ratio must satisfy 0 < ratioMin <= ratioMax, got "
          + ratioMin + ", " + ratioMax + " (default 3/4, 4/3)");
    }
    this.outHeight = outHeight;
    this.outWidth = outWidth;
    this.scaleMin = scaleMin;
    this.scaleMax = scaleMax;
    this.logRatioMin = Math.log(ratioMin);
    this.logRatioMax = Math.log(ratioMax);
  }

  /** MoCo v2 defaults: scale 0.2-1, ratio 3/4-4/3. */
  public RandomResizedCrop(int outHeight, int outWidth) {
    this(outHeight, outWidth, 0.2, 1.0, 3.0 / 4, 4.0 / 3);
  }

  @Override
  public Image apply(Image in, Rng rng) {
    double area = (double) in.height() * in.width();
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * rng.uniform(scaleMin, scaleMax);
      double ratio = Math.exp(rng.uniform(logRatioMin, logRatioMax));
      int w = (int) Math.round(Math.sqrt(target * ratio));
      int h = (int) Math.round(Math.sqrt(target / ratio));
      if (w > 0 && h > 0 && w <= in.width() && h <= in.height()) {
        int top = rng.nextInt(in.height() - h + 1);
        int left = rng.nextInt(in.width() - w + 1);
        return resize(in, top, left, h, w, outHeight, outWidth);
      }
    }
    int side = Math.min(in.height(), in.width());
    return resize(in, (in.height() - side) / 2, (in.width() - side) / 2, side, side, outHeight,
        outWidth);
  }

  /** Bilinear resize of the region [top, top+h) x [left, left+w) to outH x outW (pixel centres aligned). */
  static Image resize(Image in, int top, int left, int h, int w, int outH, int outW) {
    float[] out = new float[in.channels() * outH * outW];
    float[] src = in.pixels();
    double sy = (double) h / outH;
    double sx = (double) w / outW;
    for (int y = 0; y < outH; y++) {
      double fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
      int y0 = (int) fy;
      int y1 = Math.min(y0 + 1, h - 1);
      float wy = (float) (fy - y0);
      for (int x = 0; x < outW; x++) {
        double fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
        int x0 = (int) fx;
        int x1 = Math.min(x0 + 1, w - 1);
        float wx = (float) (fx - x0);
        for (int c = 0; c < in.channels(); c++) {
          int base = c * in.height() * in.width();
          int r0 = base + (top + y0) * in.width() + left;
          int r1 = base + (top + y1) * in.width() + left;
          float a = src[r0 + x0] + wx * (src[r0 + x1] - src[r0 + x0]);
          float b = src[r1 + x0] + wx * (src[r1 + x1] - src[r1 + x0]);
          out[(c * outH + y) * outW + x] = Math.min(1f, Math.max(0f, a + wy * (b - a)));
        }
      }
    }
    return new Image(in.id(), in.channels(), outH, outW, out);
  }
}
