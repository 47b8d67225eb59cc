package dev.contraflow.augment;

import dev.contraflow.io.Image;

/**
 * Converts a colour image to grey (ITU-R 601 luma, replicated to three channels) with
 * probability p (0.2 in SimCLR and MoCo v2), so the encoder cannot rely on colour alone.
 * Grey images pass unchanged.
 */
public final class RandomGrayscale implements ImageAugmentation {

  private final double p;

  public RandomGrayscale(double p) {
    ImageAugmentation.requireProbability("greyscale p", p);
    this.p = p;
  }

  @Override
  public Image apply(Image in, Rng rng) {
    if (!rng.bernoulli(p) || in.channels() == 1) {
      return in;
    }
    int n = in.height() * in.width();
    float[] src = in.pixels();
    float[] out = new float[3 * n];
    for (int i = 0; i < n; i++) {
      float g = ColorJitter.luma(src[i], src[n + i], src[2 * n + i]);
      out[i] = g;
      out[n + i] = g;
      out[2 * n + i] = g;
    }
    return new Image(in.id(), 3, in.height(), in.width(), out);
  }
}
