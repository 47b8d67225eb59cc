package dev.contraflow.augment;

import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.Resampling;

/**
 * Inception-style random resized crop (Szegedy et al. 2015, with torchvision's
 * {@code RandomResizedCrop} semantics). SimCLR found cropping, composed with colour distortion,
 * the augmentation that matters most: the encoder must match a part of the image to another part
 * or to the whole.
 *
 * <p>Up to ten draws of an area fraction uniform in [scaleMin, scaleMax] and an aspect ratio
 * (width / height) log-uniform in [ratioMin, ratioMax]; the first box that fits is placed
 * uniformly. If none fits, the centre crop of the whole image, narrowed to the ratio range. The
 * crop is then {@link Resize bilinearly resized} to the output size, so with scale and ratio fixed
 * at 1 on a square image this is a plain resize.
 *
 * <p>MoCo v2 uses scale [0.2, 1] (Chen et al. 2020, "Improved Baselines"), wider than torchvision's
 * 0.08 default; on tiny images (28 px) a larger scaleMin keeps the object recognisable.
 */
public final class RandomResizedCrop implements ImageAugmentation {

  /** torchvision's number of draws before falling back to the centre crop. */
  private static final int ATTEMPTS = 10;

  private final int outHeight;
  private final int outWidth;
  private final double scaleMin;
  private final double scaleMax;
  private final double ratioMin;
  private final double ratioMax;
  private final double logRatioMin;
  private final double logRatioMax;

  /**
   * @param outHeight rows of the view
   * @param outWidth columns of the view
   * @param scaleMin smallest crop area as a fraction of the image, in (0, scaleMax]
   * @param scaleMax largest crop area fraction, in [scaleMin, 1]
   * @param ratioMin smallest width / height of the crop, in (0, ratioMax]
   * @param ratioMax largest width / height of the crop
   */
  public RandomResizedCrop(int outHeight, int outWidth, double scaleMin, double scaleMax,
      double ratioMin, double ratioMax) {
    this.outHeight = Resize.requireSide("RandomResizedCrop", "outHeight", outHeight);
    this.outWidth = Resize.requireSide("RandomResizedCrop", "outWidth", outWidth);
    if (!(scaleMin > 0 && scaleMin <= 1)) {
      throw new IllegalArgumentException("RandomResizedCrop.scaleMin must be in (0, 1], got "
          + scaleMin + " (MoCo v2 uses 0.2)");
    }
    if (!(scaleMax >= scaleMin && scaleMax <= 1)) {
      throw new IllegalArgumentException("RandomResizedCrop.scaleMax must be in [scaleMin, 1], got"
          + " scaleMax=" + scaleMax + " with scaleMin=" + scaleMin + " (MoCo v2 uses 1.0)");
    }
    if (!(ratioMin > 0 && Double.isFinite(ratioMin))) {
      throw new IllegalArgumentException("RandomResizedCrop.ratioMin must be a finite ratio > 0,"
          + " got " + ratioMin + " (default 3/4)");
    }
    if (!(ratioMax >= ratioMin && Double.isFinite(ratioMax))) {
      throw new IllegalArgumentException("RandomResizedCrop.ratioMax must be finite and"
          + " >= ratioMin, got ratioMax=" + ratioMax + " with ratioMin=" + ratioMin
          + " (default 4/3)");
    }
    this.scaleMin = scaleMin;
    this.scaleMax = scaleMax;
    this.ratioMin = ratioMin;
    this.ratioMax = ratioMax;
    this.logRatioMin = Math.log(ratioMin);
    this.logRatioMax = Math.log(ratioMax);
  }

  /** MoCo v2's crop: area 0.2 to 1 of the image, aspect ratio 3/4 to 4/3. */
  public RandomResizedCrop(int outHeight, int outWidth) {
    this(outHeight, outWidth, 0.2, 1.0, 3.0 / 4.0, 4.0 / 3.0);
  }

  @Override
  public Image apply(Image in, Rng rng) {
    int height = in.height();
    int width = in.width();
    double area = (double) height * width;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double targetArea = area * rng.uniform(scaleMin, scaleMax);
      double ratio = Math.exp(rng.uniform(logRatioMin, logRatioMax));
      int w = (int) Math.round(Math.sqrt(targetArea * ratio));
      int h = (int) Math.round(Math.sqrt(targetArea / ratio));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int top = rng.nextInt(height - h + 1);
        int left = rng.nextInt(width - w + 1);
        return Resampling.region(in, top, left, h, w, outHeight, outWidth);
      }
    }
    return centreCrop(in);
  }

  /** torchvision's fallback: the whole image, cut down to the nearest allowed aspect ratio. */
  private Image centreCrop(Image in) {
    int height = in.height();
    int width = in.width();
    double inRatio = (double) width / height;
    int w = width;
    int h = height;
    if (inRatio < ratioMin) {
      h = Math.max(1, (int) Math.round(width / ratioMin));
    } else if (inRatio > ratioMax) {
      w = Math.max(1, (int) Math.round(height * ratioMax));
    }
    return Resampling.region(in, (height - h) / 2, (width - w) / 2, h, w, outHeight, outWidth);
  }
}
