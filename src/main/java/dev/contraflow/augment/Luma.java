package dev.contraflow.augment;

/**
 * Brightness as the eye weighs the three primaries: ITU-R BT.601 luma, the weights PIL's
 * {@code convert("L")} and torchvision's {@code rgb_to_grayscale} use. Shared by
 * {@link RandomGrayscale} and the contrast and saturation steps of {@link ColorJitter}.
 */
final class Luma {

  static final float RED = 0.299f;
  static final float GREEN = 0.587f;
  static final float BLUE = 0.114f;

  private Luma() {}

  /** Luma of one pixel, kept in [0, 1] (the float weights sum to a hair above 1). */
  static float of(float r, float g, float b) {
    return Math.min(1f, RED * r + GREEN * g + BLUE * b);
  }
}
