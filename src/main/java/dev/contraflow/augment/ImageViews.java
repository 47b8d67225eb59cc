package dev.contraflow.augment;

import dev.contraflow.io.Image;
import java.util.List;

/**
 * The views of an image that a contrastive method compares. {@link #mocoV2} is MoCo v2's "aug+"
 * recipe (Chen et al. 2020, after SimCLR): random resized crop, colour jitter (p 0.8), random
 * greyscale (p 0.2), Gaussian blur (p 0.5), horizontal flip. {@link #none} only resizes, for
 * embedding and evaluation.
 */
public final class ImageViews {

  private final List<ImageAugmentation> steps;

  private ImageViews(List<ImageAugmentation> steps) {
    this.steps = List.copyOf(steps);
  }

  /** MoCo v2 aug+ producing height x width views; cropScaleMin is the crop's smallest area fraction. */
  public static ImageViews mocoV2(int height, int width, double cropScaleMin) {
    return new ImageViews(List.of(
        new RandomResizedCrop(height, width, cropScaleMin, 1.0, 3.0 / 4, 4.0 / 3),
        ColorJitter.mocoV2(),
        new RandomGrayscale(0.2),
        new GaussianBlur(0.5, 0.1, 2.0),
        new HorizontalFlip(0.5)));
  }

  /** No augmentation: the image resized to height x width (unchanged if already that size). */
  public static ImageViews none(int height, int width) {
    return new ImageViews(List.of((in, rng) -> in.height() == height && in.width() == width
        ? in
        : RandomResizedCrop.resize(in, 0, 0, in.height(), in.width(), height, width)));
  }

  /** One view; the same image and RNG state always give the same view. */
  public Image view(Image in, Rng rng) {
    Image out = in;
    for (ImageAugmentation step : steps) {
      out = step.apply(out, rng);
    }
    return out;
  }

  /** Two independent views (query and key), each drawn from its own split of {@code rng}. */
  public Image[] twoViews(Image in, Rng rng) {
    Rng first = rng.split();
    Rng second = rng.split();
    return new Image[] {view(in, first), view(in, second)};
  }
}
