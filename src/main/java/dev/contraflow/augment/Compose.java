package dev.contraflow.augment;

import dev.contraflow.io.image.Image;
import java.util.List;
import java.util.Objects;

/**
 * Transforms applied in order, each drawing from the same generator (torchvision's
 * {@code Compose}). The order matters: MoCo v2 crops first so the later steps work on the small
 * view, not on the full-size image.
 */
public final class Compose implements ImageAugmentation {

  private final List<ImageAugmentation> steps;

  public Compose(List<ImageAugmentation> steps) {
    if (steps == null || steps.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException(
          "Compose.steps must be a list of transforms without nulls, got " + steps);
    }
    this.steps = List.copyOf(steps);
  }

  /** The transforms, in the order they are applied. */
  public List<ImageAugmentation> steps() {
    return steps;
  }

  @Override
  public Image apply(Image in, Rng rng) {
    Image out = in;
    for (ImageAugmentation step : steps) {
      out = step.apply(out, rng);
    }
    return out;
  }
}
