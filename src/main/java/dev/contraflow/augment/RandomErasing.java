package dev.contraflow.augment;

import dev.contraflow.io.image.Image;

/**
 * Random erasing (Zhong et al., "Random Erasing Data Augmentation", AAAI 2020): with probability
 * p, one rectangle of area fraction in [scaleMin, scaleMax] of the image and aspect ratio (height
 * / width) in [ratioMin, 1 / ratioMin] is replaced by uniform noise in [0, 1] (the paper's RE-R,
 * its best fill), in every channel. A view that hides part of the object: the representation must
 * match it from what remains (occlusion). Up to 10 draws for a rectangle that fits, as the paper
 * and torchvision; if none fits, the image is left as it is.
 */
public final class RandomErasing implements ImageAugmentation {

  /** Draws of a rectangle before giving up (the paper and torchvision: 10). */
  private static final int ATTEMPTS = 10;

  private final double p;
  private final double scaleMin;
  private final double scaleMax;
  private final double ratioMin;

  /**
   * @param p probability of erasing, in [0, 1] (the paper: 0.5)
   * @param scaleMin smallest erased area fraction, in (0, scaleMax] (the paper: 0.02)
   * @param scaleMax largest erased area fraction, in [scaleMin, 1) (the paper: 0.4)
   * @param ratioMin smallest aspect ratio, in (0, 1]; the largest is its inverse (the paper: 0.3)
   */
  public RandomErasing(double p, double scaleMin, double scaleMax, double ratioMin) {
    this.p = Probability.require("RandomErasing", "p", p);
    if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax < 1)) {
      throw new IllegalArgumentException("RandomErasing scale must satisfy 0 < scaleMin <= scaleMax"
          + " < 1, got scaleMin=" + scaleMin + ", scaleMax=" + scaleMax
          + " (the paper uses 0.02 and 0.4)");
    }
    if (!(ratioMin > 0 && ratioMin <= 1)) {
      throw new IllegalArgumentException("RandomErasing.ratioMin must be in (0, 1], got "
          + ratioMin + " (the paper uses 0.3; the largest ratio is its inverse)");
    }
    this.scaleMin = scaleMin;
    this.scaleMax = scaleMax;
    this.ratioMin = ratioMin;
  }

  @Override
  public Image apply(Image in, Rng rng) {
    if (!rng.bernoulli(p)) {
      return in;
    }
    int h = in.height();
    int w = in.width();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double area = rng.uniform(scaleMin, scaleMax) * h * w;
      // log-uniform ratio, as torchvision: r and 1 / r are equally likely
      double ratio = Math.exp(rng.uniform(Math.log(ratioMin), -Math.log(ratioMin)));
      int eh = (int) Math.round(Math.sqrt(area * ratio));
      int ew = (int) Math.round(Math.sqrt(area / ratio));
      if (eh >= 1 && ew >= 1 && eh < h && ew < w) {
        return erased(in, rng.nextInt(h - eh + 1), rng.nextInt(w - ew + 1), eh, ew, rng);
      }
    }
    return in;
  }

  private static Image erased(Image in, int top, int left, int eh, int ew, Rng rng) {
    float[] out = in.pixels().clone();
    int h = in.height();
    int w = in.width();
    for (int c = 0; c < in.channels(); c++) {
      for (int y = top; y < top + eh; y++) {
        for (int x = left; x < left + ew; x++) {
          out[(c * h + y) * w + x] = rng.nextFloat();
        }
      }
    }
    return new Image(in.id(), in.channels(), h, w, out);
  }
}
