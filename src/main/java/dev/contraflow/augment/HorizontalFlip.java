package dev.contraflow.augment;

import dev.contraflow.io.image.Image;

/**
 * Random horizontal flip (p = 0.5 in SimCLR and MoCo v2): a mirrored scene is the same scene, so
 * the representation should not depend on left and right.
 */
public final class HorizontalFlip implements ImageAugmentation {

  private final double p;

  /** @param p probability of mirroring, in [0, 1] */
  public HorizontalFlip(double p) {
    this.p = Probability.require("HorizontalFlip", "p", p);
  }

  /** Flips half of the images, as SimCLR and MoCo v2 do. */
  public HorizontalFlip() {
    this(0.5);
  }

  @Override
  public Image apply(Image in, Rng rng) {
    if (!rng.bernoulli(p)) {
      return in;
    }
    float[] src = in.pixels();
    float[] out = new float[src.length];
    int width = in.width();
    for (int row = 0; row < in.channels() * in.height(); row++) {
      int start = row * width;
      int end = start + width - 1;
      for (int x = 0; x < width; x++) {
        out[start + x] = src[end - x];
      }
    }
    return new Image(in.id(), in.channels(), in.height(), in.width(), out);
  }
}
