package dev.contraflow.augment;

import dev.contraflow.io.image.Image;
import java.util.List;

/**
 * The views of an image that a contrastive method compares: two independent draws of one random
 * recipe, query and key (He et al. 2020, MoCo; Chen et al. 2020, SimCLR).
 *
 * <p>{@link #mocoV2} is MoCo v2's "aug+" recipe (Chen, Fan, Girshick, He 2020, "Improved
 * Baselines with Momentum Contrastive Learning", after SimCLR), in its order:
 * {@link RandomResizedCrop} (scale 0.2-1), {@link ColorJitter} (0.4, 0.4, 0.4, 0.1; p 0.8),
 * {@link RandomGrayscale} (p 0.2), {@link GaussianBlur} (sigma 0.1-2; p 0.5),
 * {@link HorizontalFlip} (p 0.5). Per-channel normalisation is left to the encoder.
 * {@link #none} only resizes, for embedding and evaluation.
 *
 * <p>Randomness comes in through the {@link Rng} argument, so a view is a pure function of the
 * image and the generator state: a restored learner redraws exactly the views it would have drawn.
 */
public final class ImageViews {

  /**
   * The aug+ recipe as numbers. Fields are checked when {@link ImageViews#ImageViews(Config)} builds
   * the transforms; a bad value fails there, naming the transform and the field.
   *
   * @param height rows of each view
   * @param width columns of each view
   * @param cropScaleMin smallest crop area fraction (MoCo v2: 0.2)
   * @param cropScaleMax largest crop area fraction (1.0)
   * @param cropRatioMin smallest crop width / height (3/4)
   * @param cropRatioMax largest crop width / height (4/3)
   * @param jitterProbability probability of colour jitter (0.8)
   * @param brightness brightness jitter strength (0.4)
   * @param contrast contrast jitter strength (0.4)
   * @param saturation saturation jitter strength (0.4)
   * @param hue largest hue rotation in turns (0.1)
   * @param grayscaleProbability probability of greyscale (0.2)
   * @param blurProbability probability of Gaussian blur (0.5)
   * @param blurSigmaMin smallest blur sigma in pixels (0.1)
   * @param blurSigmaMax largest blur sigma in pixels (2.0)
   * @param flipProbability probability of a horizontal flip (0.5)
   */
  public record Config(int height, int width, double cropScaleMin, double cropScaleMax,
      double cropRatioMin, double cropRatioMax, double jitterProbability, double brightness,
      double contrast, double saturation, double hue, double grayscaleProbability,
      double blurProbability, double blurSigmaMin, double blurSigmaMax, double flipProbability) {

    /** MoCo v2's aug+ for height x width views. */
    public static Config mocoV2(int height, int width) {
      return new Config(height, width, 0.2, 1.0, 3.0 / 4.0, 4.0 / 3.0,
          0.8, 0.4, 0.4, 0.4, 0.1, 0.2, 0.5, 0.1, 2.0, 0.5);
    }

    /** The same recipe with crops of area fraction [scaleMin, scaleMax] (SwAV's local crops). */
    public Config withCropScale(double scaleMin, double scaleMax) {
      return new Config(height, width, scaleMin, scaleMax, cropRatioMin, cropRatioMax,
          jitterProbability, brightness, contrast, saturation, hue, grayscaleProbability,
          blurProbability, blurSigmaMin, blurSigmaMax, flipProbability);
    }

    /** The same recipe with another smallest crop area (larger for tiny images). */
    public Config withCropScaleMin(double scaleMin) {
      return withCropScale(scaleMin, cropScaleMax);
    }
  }

  private final ImageAugmentation recipe;

  /** The aug+ pipeline with the numbers in {@code config}; fails on any out-of-range field. */
  public ImageViews(Config config) {
    this(new Compose(List.of(
        new RandomResizedCrop(config.height(), config.width(), config.cropScaleMin(),
            config.cropScaleMax(), config.cropRatioMin(), config.cropRatioMax()),
        new ColorJitter(config.brightness(), config.contrast(), config.saturation(), config.hue(),
            config.jitterProbability()),
        new RandomGrayscale(config.grayscaleProbability()),
        new GaussianBlur(config.blurProbability(), config.blurSigmaMin(), config.blurSigmaMax()),
        new HorizontalFlip(config.flipProbability()))));
  }

  private ImageViews(ImageAugmentation recipe) {
    this.recipe = recipe;
  }

  /** MoCo v2's aug+ with the paper's numbers, producing height x width views. */
  public static ImageViews mocoV2(int height, int width) {
    return new ImageViews(Config.mocoV2(height, width));
  }

  /** MoCo v2's aug+ with another smallest crop area fraction (0.2 in the paper). */
  public static ImageViews mocoV2(int height, int width, double cropScaleMin) {
    return new ImageViews(Config.mocoV2(height, width).withCropScaleMin(cropScaleMin));
  }

  /** No augmentation: the image resized to height x width (returned as is if already that size). */
  public static ImageViews none(int height, int width) {
    return new ImageViews(new Resize(height, width));
  }

  /** One view; the same image and generator state always give the same view. */
  public Image view(Image in, Rng rng) {
    return recipe.apply(in, rng);
  }

  /**
   * Query and key views, each from its own {@code rng.split()} (first the query's, then the
   * key's), so they are independent draws and each equals {@link #view} with that split.
   */
  public Image[] twoViews(Image in, Rng rng) {
    Rng query = rng.split();
    Rng key = rng.split();
    return new Image[] {view(in, query), view(in, key)};
  }
}
