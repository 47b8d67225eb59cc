package dev.contraflow.augment;

import java.util.ArrayList;
import java.util.List;

/**
 * The view families of contrastive multiview coding on images that have no second modality (CMC,
 * Tian et al. 2020). The paper's views of one image are its L and ab channels (Lab colour), or on
 * NYU-Depth its depth, normals and segmentation; a greyscale image has only its L channel, so each
 * view here is the image under one family of distortions - what the view hides or keeps differs
 * by family, as what L and ab keep of a colour image differs:
 *
 * <ul>
 *   <li>{@link #GEOMETRIC}: where the object is and how large (random resized crop and flip);
 *   <li>{@link #PHOTOMETRIC}: how bright and sharp it looks (MoCo v2's colour jitter, grey and
 *       blur);
 *   <li>{@link #ERASING}: part of it hidden (random erasing, Zhong et al. 2020).
 * </ul>
 *
 * <p>With {@code cropEveryView}, every view first takes its own random resized crop and flip, so
 * the families differ only by what they add to {@link #GEOMETRIC}; without it the photometric and
 * erasing views see the whole image, and only pairs with the geometric view ask for invariance to
 * the crop.
 */
public enum ViewFamily {
  /** Random resized crop (area cropScaleMin-1, ratio 3/4-4/3) and horizontal flip (p 0.5). */
  GEOMETRIC,
  /** Colour jitter (0.4, 0.4, 0.4, 0.1; p 0.8), greyscale (p 0.2), Gaussian blur (p 0.5). */
  PHOTOMETRIC,
  /** Random erasing of 2-33% of the image (ratio 0.3-3.3, noise fill), always applied. */
  ERASING;

  /**
   * This family's recipe for height x width views.
   *
   * @param cropScaleMin smallest crop area fraction of the geometric part (MoCo v2: 0.2)
   * @param cropEveryView whether a photometric or erasing view takes its own crop and flip first
   */
  public ImageAugmentation recipe(int height, int width, double cropScaleMin,
      boolean cropEveryView) {
    List<ImageAugmentation> steps = new ArrayList<>();
    if (this == GEOMETRIC || cropEveryView) {
      steps.add(new RandomResizedCrop(height, width, cropScaleMin, 1.0, 3.0 / 4.0, 4.0 / 3.0));
      steps.add(new HorizontalFlip());
    } else {
      steps.add(new Resize(height, width));
    }
    switch (this) {
      case PHOTOMETRIC -> {
        steps.add(new ColorJitter());
        steps.add(new RandomGrayscale(0.2));
        steps.add(new GaussianBlur());
      }
      case ERASING -> steps.add(new RandomErasing(1.0, 0.02, 0.33, 0.3));
      case GEOMETRIC -> { } // the crop and flip above
    }
    return new Compose(steps);
  }

  /** The first {@code views} families, in declaration order: CMC's V views. */
  public static List<ViewFamily> first(int views) {
    ViewFamily[] all = values();
    if (views < 2 || views > all.length) {
      throw new IllegalArgumentException("CMC views must be in 2.." + all.length + ", got "
          + views + " (the families: GEOMETRIC, PHOTOMETRIC, ERASING, in that order)");
    }
    return List.of(all).subList(0, views);
  }
}
