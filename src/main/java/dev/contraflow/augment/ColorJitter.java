package dev.contraflow.augment;

import dev.contraflow.io.Image;

/**
 * Colour jitter (SimCLR, Chen et al. 2020; MoCo v2: 0.4, 0.4, 0.4, 0.1 with p = 0.8): brightness,
 * contrast, saturation and hue changes in random order, results clamped to [0, 1]. Saturation and
 * hue need colour, so on grey images only brightness and contrast apply.
 */
public final class ColorJitter implements ImageAugmentation {

  private final double brightness;
  private final double contrast;
  private final double saturation;
  private final double hue;
  private final double p;

  public ColorJitter(double brightness, double contrast, double saturation, double hue, double p) {
    requireStrength("brightness", brightness, 1);
    requireStrength("contrast", contrast, 1);
    requireStrength("saturation", saturation, 1);
    requireStrength("hue", hue, 0.5);
    ImageAugmentation.requireProbability("colour jitter p", p);
    this.brightness = brightness;
    this.contrast = contrast;
    this.saturation = saturation;
    this.hue = hue;
    this.p = p;
  }

  /** MoCo v2's setting. */
  public static ColorJitter mocoV2() {
    return new ColorJitter(0.4, 0.4, 0.4, 0.1, 0.8);
  }

  @Override
  public Image apply(Image in, Rng rng) {
    if (!rng.bernoulli(p)) {
      return in;
    }
    float[] px = in.pixels().clone();
    int[] order = permutation(rng);
    for (int op : order) {
      switch (op) {
        case 0 -> scale(px, (float) rng.uniform(1 - brightness, 1 + brightness), 0f);
        case 1 -> blendWithMean(px, (float) rng.uniform(1 - contrast, 1 + contrast), in);
        case 2 -> {
          double f = rng.uniform(1 - saturation, 1 + saturation);
          if (in.channels() == 3) {
            saturate(px, (float) f, in.height() * in.width());
          }
        }
        default -> {
          double shift = rng.uniform(-hue, hue);
          if (in.channels() == 3) {
            rotateHue(px, shift, in.height() * in.width());
          }
        }
      }
    }
    return new Image(in.id(), in.channels(), in.height(), in.width(), px);
  }

  private static int[] permutation(Rng rng) {
    int[] order = {0, 1, 2, 3};
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** px = clamp(px * factor + (1 - factor) * towards). */
  private static void scale(float[] px, float factor, float towards) {
    for (int i = 0; i < px.length; i++) {
      px[i] = clamp(px[i] * factor + (1 - factor) * towards);
    }
  }

  /** Contrast: blend with the mean grey level of the image. */
  private static void blendWithMean(float[] px, float factor, Image shape) {
    int n = shape.height() * shape.width();
    double mean = 0;
    if (shape.channels() == 3) {
      for (int i = 0; i < n; i++) {
        mean += luma(px[i], px[n + i], px[2 * n + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        mean += px[i];
      }
    }
    scale(px, factor, (float) (mean / n));
  }

  private static void saturate(float[] px, float factor, int n) {
    for (int i = 0; i < n; i++) {
      float grey = luma(px[i], px[n + i], px[2 * n + i]);
      for (int c = 0; c < 3; c++) {
        px[c * n + i] = clamp(px[c * n + i] * factor + (1 - factor) * grey);
      }
    }
  }

  /** Shifts hue by {@code shift} turns (HSV round trip). */
  private static void rotateHue(float[] px, double shift, int n) {
    float[] hsv = new float[3];
    for (int i = 0; i < n; i++) {
      rgbToHsv(px[i], px[n + i], px[2 * n + i], hsv);
      float h = (float) ((hsv[0] + shift) % 1.0);
      hsv[0] = h < 0 ? h + 1 : h;
      int rgb = java.awt.Color.HSBtoRGB(hsv[0], hsv[1], hsv[2]);
      px[i] = ((rgb >> 16) & 0xff) / 255f;
      px[n + i] = ((rgb >> 8) & 0xff) / 255f;
      px[2 * n + i] = (rgb & 0xff) / 255f;
    }
  }

  private static void rgbToHsv(float r, float g, float b, float[] hsv) {
    java.awt.Color.RGBtoHSB(Math.round(r * 255), Math.round(g * 255), Math.round(b * 255), hsv);
  }

  static float luma(float r, float g, float b) {
    return 0.299f * r + 0.587f * g + 0.114f * b;
  }

  private static float clamp(float v) {
    return v < 0 ? 0 : (v > 1 ? 1 : v);
  }

  private static void requireStrength(String field, double v, double max) {
    if (!(v >= 0 && v <= max)) {
      throw new IllegalArgumentException(
          "colour jitter " + field + " must be in [0, " + max + "], got " + v);
    }
  }
}
