package dev.contraflow.augment;

import dev.contraflow.io.image.Image;

/**
 * Random conversion to greyscale (p = 0.2 in SimCLR and MoCo v2), kept at three channels so the
 * encoder's input shape does not change. Together with {@link ColorJitter} it stops the encoder
 * from matching views by their colour histogram alone (Chen et al. 2020, SimCLR section 3).
 * A grey image is returned as it is.
 */
public final class RandomGrayscale implements ImageAugmentation {

  private final double p;

  /** @param p probability of converting, in [0, 1] */
  public RandomGrayscale(double p) {
    this.p = Probability.require("RandomGrayscale", "p", p);
  }

  /** Converts one image in five, as MoCo v2 does. */
  public RandomGrayscale() {
    this(0.2);
  }

  @Override
  public Image apply(Image in, Rng rng) {
    // Draw for grey images too, so the rest of the stream does not depend on the channel count.
    if (!rng.bernoulli(p) || in.channels() == 1) {
      return in;
    }
    int plane = in.height() * in.width();
    float[] src = in.pixels();
    float[] out = new float[src.length];
    for (int i = 0; i < plane; i++) {
      float luma = Luma.of(src[i], src[plane + i], src[2 * plane + i]);
      out[i] = luma;
      out[plane + i] = luma;
      out[2 * plane + i] = luma;
    }
    return new Image(in.id(), 3, in.height(), in.width(), out);
  }
}
