package dev.contraflow.augment;

import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.Resampling;

/**
 * Resize to a fixed size with {@link Resampling}: bilinear, antialiased when shrinking (PIL's
 * {@code Image.resize(BILINEAR)}, which MoCo's ImageNet pipeline uses); at the same size it is
 * exactly the identity.
 *
 * <p>Deterministic: the {@link Rng} is not used. {@link RandomResizedCrop} resizes its crops with
 * the same filter.
 */
public final class Resize implements ImageAugmentation {

  private final int outHeight;
  private final int outWidth;

  public Resize(int outHeight, int outWidth) {
    this.outHeight = requireSide("Resize", "outHeight", outHeight);
    this.outWidth = requireSide("Resize", "outWidth", outWidth);
  }

  @Override
  public Image apply(Image in, Rng rng) {
    if (in.height() == outHeight && in.width() == outWidth) {
      return in;
    }
    return Resampling.region(in, 0, 0, in.height(), in.width(), outHeight, outWidth);
  }

  static int requireSide(String transform, String field, int side) {
    if (side < 1) {
      throw new IllegalArgumentException(
          transform + "." + field + " must be at least 1 pixel, got " + side);
    }
    return side;
  }
}
