package dev.contraflow.augment;

import dev.contraflow.io.Image;

/** One random image transform. Returns a new image; never changes its input. */
@FunctionalInterface
public interface ImageAugmentation {

  Image apply(Image in, Rng rng);

  static void requireProbability(String field, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(field + " must be a probability in [0, 1], got " + p);
    }
  }
}
