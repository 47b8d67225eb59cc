package dev.contraflow.augment;

import dev.contraflow.io.Image;

/** Mirrors the image left-right with probability p (0.5 in MoCo/SimCLR). */
public final class HorizontalFlip implements ImageAugmentation {

  private final double p;

  public HorizontalFlip(double p) {
    ImageAugmentation.requireProbability("flip p", p);
    this.p = p;
  }

  @Override
  public Image apply(Image in, Rng rng) {
    if (!rng.bernoulli(p)) {
      return in;
    }
    float[] src = in.pixels();
    float[] out = new float[src.length];
    int w = in.width();
    for (int row = 0; row < in.channels() * in.height(); row++) {
      int base = row * w;
      for (int x = 0; x < w; x++) {
        out[base + x] = src[base + w - 1 - x];
      }
    }
    return new Image(in.id(), in.channels(), in.height(), w, out);
  }
}
