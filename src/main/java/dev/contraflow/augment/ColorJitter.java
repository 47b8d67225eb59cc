package dev.contraflow.augment;

import dev.contraflow.io.image.Image;

/**
 * Random colour distortion (SimCLR, Chen et al. 2020, section 3 and appendix A; torchvision's
 * {@code ColorJitter} inside {@code RandomApply}). MoCo v2 uses strengths 0.4 / 0.4 / 0.4 / 0.1,
 * applied with p = 0.8. Without it, crops of one image are matched by their colour histogram
 * alone and the encoder learns little else.
 *
 * <p>Once applied, the four adjustments run in a random order, each with a factor drawn afresh:
 * <ul>
 *   <li>brightness: multiply by b in [max(0, 1 - brightness), 1 + brightness];
 *   <li>contrast: blend with the image's mean luma by c in [max(0, 1 - contrast), 1 + contrast];
 *   <li>saturation: blend each pixel with its own luma by s in
 *       [max(0, 1 - saturation), 1 + saturation];
 *   <li>hue: rotate the HSV hue by h in [-hue, hue] turns.
 * </ul>
 * Each adjustment clamps to [0, 1], as torchvision's does. A strength of 0 turns that adjustment
 * off. Saturation and hue need colour, so on a grey image only brightness and contrast apply and
 * the result stays grey.
 */
public final class ColorJitter implements ImageAugmentation {

  private enum Adjustment { BRIGHTNESS, CONTRAST, SATURATION, HUE }

  private static final Adjustment[] ADJUSTMENTS = Adjustment.values();

  private final double brightness;
  private final double contrast;
  private final double saturation;
  private final double hue;
  private final double p;

  /**
   * @param brightness strength of the brightness change, >= 0
   * @param contrast strength of the contrast change, >= 0
   * @param saturation strength of the saturation change, >= 0
   * @param hue largest hue rotation in turns, in [0, 0.5]
   * @param p probability of jittering at all, in [0, 1]
   */
  public ColorJitter(double brightness, double contrast, double saturation, double hue, double p) {
    this.brightness = requireStrength("brightness", brightness);
    this.contrast = requireStrength("contrast", contrast);
    this.saturation = requireStrength("saturation", saturation);
    if (!(hue >= 0 && hue <= 0.5)) {
      throw new IllegalArgumentException("ColorJitter.hue must be in [0, 0.5] turns, got " + hue
          + " (MoCo v2 uses 0.1; 0 disables the hue change)");
    }
    this.hue = hue;
    this.p = Probability.require("ColorJitter", "p", p);
  }

  /** MoCo v2's jitter: strengths 0.4, 0.4, 0.4, 0.1, applied to 80% of views. */
  public ColorJitter() {
    this(0.4, 0.4, 0.4, 0.1, 0.8);
  }

  @Override
  public Image apply(Image in, Rng rng) {
    if (!rng.bernoulli(p)) {
      return in;
    }
    float[] px = in.pixels().clone();
    int plane = in.height() * in.width();
    boolean colour = in.channels() == 3;
    for (Adjustment adjustment : randomOrder(rng)) {
      adjust(adjustment, px, plane, colour, rng);
    }
    return new Image(in.id(), in.channels(), in.height(), in.width(), px);
  }

  /**
   * One adjustment with a freshly drawn factor. A strength of 0 draws nothing, as torchvision's
   * {@code None} factor; the draws do not depend on the channel count.
   */
  private void adjust(Adjustment adjustment, float[] px, int plane, boolean colour, Rng rng) {
    switch (adjustment) {
      case BRIGHTNESS -> {
        if (brightness > 0) {
          blend(px, factor(brightness, rng), 0f);
        }
      }
      case CONTRAST -> {
        if (contrast > 0) {
          blend(px, factor(contrast, rng), meanLuma(px, plane, colour));
        }
      }
      case SATURATION -> {
        if (saturation > 0) {
          float s = factor(saturation, rng);
          if (colour) {
            saturate(px, plane, s);
          }
        }
      }
      case HUE -> {
        if (hue > 0) {
          float turns = (float) rng.uniform(-hue, hue);
          if (colour) {
            rotateHue(px, plane, turns);
          }
        }
      }
    }
  }

  private static double requireStrength(String field, double strength) {
    if (!(strength >= 0 && Double.isFinite(strength))) {
      throw new IllegalArgumentException("ColorJitter." + field + " must be a finite strength >= 0,"
          + " got " + strength + " (MoCo v2 uses 0.4; 0 disables it)");
    }
    return strength;
  }

  /** A uniformly random order of the four adjustments (torchvision draws {@code randperm(4)}). */
  private static Adjustment[] randomOrder(Rng rng) {
    Adjustment[] order = ADJUSTMENTS.clone();
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      Adjustment swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  /** A factor uniform in [max(0, 1 - strength), 1 + strength]; 1 leaves the image alone. */
  private static float factor(double strength, Rng rng) {
    return (float) rng.uniform(Math.max(0, 1 - strength), 1 + strength);
  }

  /** px = clamp(factor * px + (1 - factor) * towards), torchvision's {@code _blend}. */
  private static void blend(float[] px, float factor, float towards) {
    float offset = (1 - factor) * towards;
    for (int i = 0; i < px.length; i++) {
      px[i] = clamp(factor * px[i] + offset);
    }
  }

  /** Mean luma of the image as it is now (after any earlier adjustment). */
  private static float meanLuma(float[] px, int plane, boolean colour) {
    double sum = 0;
    for (int i = 0; i < plane; i++) {
      sum += colour ? Luma.of(px[i], px[plane + i], px[2 * plane + i]) : px[i];
    }
    return (float) (sum / plane);
  }

  /** Blends each pixel with its own luma: s = 0 is greyscale, s > 1 oversaturates. */
  private static void saturate(float[] px, int plane, float s) {
    for (int i = 0; i < plane; i++) {
      float offset = (1 - s) * Luma.of(px[i], px[plane + i], px[2 * plane + i]);
      px[i] = clamp(s * px[i] + offset);
      px[plane + i] = clamp(s * px[plane + i] + offset);
      px[2 * plane + i] = clamp(s * px[2 * plane + i] + offset);
    }
  }

  /**
   * Rotates each pixel's hue by {@code turns}, keeping its HSV saturation and value (torchvision's
   * {@code adjust_hue}: RGB to HSV, shift, back). Hue is kept in sixths of a turn, so the RGB
   * sextants are integers and no remainder or division by the value is needed.
   */
  private static void rotateHue(float[] px, int plane, float turns) {
    float shift = 6 * turns; // in [-3, 3]
    for (int i = 0; i < plane; i++) {
      float r = px[i];
      float g = px[plane + i];
      float b = px[2 * plane + i];
      float max = Math.max(r, Math.max(g, b));
      float chroma = max - Math.min(r, Math.min(g, b));
      if (chroma == 0) {
        continue; // grey pixel: no hue to rotate
      }
      float sixths = hueInSixths(r, g, b, max, chroma) + shift;
      if (sixths < 0) {
        sixths += 6;
      } else if (sixths >= 6) {
        sixths -= 6;
      }
      px[i] = hsvChannel(5, sixths, max, chroma);
      px[plane + i] = hsvChannel(3, sixths, max, chroma);
      px[2 * plane + i] = hsvChannel(1, sixths, max, chroma);
    }
  }

  /** HSV hue in sixths of a turn, [0, 6): 0 red, 2 green, 4 blue. */
  private static float hueInSixths(float r, float g, float b, float max, float chroma) {
    float h;
    if (max == r) {
      h = (g - b) / chroma;
    } else if (max == g) {
      h = 2 + (b - r) / chroma;
    } else {
      h = 4 + (r - g) / chroma;
    }
    return h < 0 ? h + 6 : h;
  }

  /**
   * One RGB channel from HSV, {@code v - v s max(0, min(k, 4 - k, 1))} with
   * {@code k = (n + hue) mod 6}, n = 5 for red, 3 for green, 1 for blue; {@code v s} is the
   * chroma. The result lies between the pixel's darkest and brightest channel, so needs no clamp.
   */
  private static float hsvChannel(int n, float sixths, float max, float chroma) {
    float k = n + sixths;
    if (k >= 6) {
      k -= 6;
    }
    return max - chroma * Math.max(0, Math.min(k, Math.min(4 - k, 1)));
  }

  private static float clamp(float v) {
    return Math.min(1f, Math.max(0f, v));
  }
}
