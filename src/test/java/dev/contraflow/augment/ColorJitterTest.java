package dev.contraflow.augment;

import static dev.contraflow.augment.Rejection.assertRejected;
import static dev.contraflow.augment.SampleImages.noise;
import static dev.contraflow.augment.SampleImages.noiseBetween;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.contraflow.io.image.Image;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ColorJitterTest {

  @Test
  void greyImageIgnoresSaturationAndHueAndStaysGrey() {
    Image in = noise(1, 6, 6, 1);
    Image out = new ColorJitter(0, 0, 0.9, 0.5, 1.0).apply(in, new Rng(2));
    assertEquals(1, out.channels());
    assertArrayEquals(in.pixels(), out.pixels());
  }

  @Test
  void greyImageStillGetsBrightnessAndContrast() {
    Image in = noiseBetween(1, 6, 6, 0.3f, 0.6f, 1);
    Image out = new ColorJitter(0.4, 0.4, 0.4, 0.1, 1.0).apply(in, new Rng(2));
    assertEquals(1, out.channels());
    assertFalse(Arrays.equals(in.pixels(), out.pixels()));
  }

  @Test
  void brightnessScalesEveryPixelByOneFactor() {
    Image in = noiseBetween(3, 4, 5, 0.1f, 0.7f, 3); // 0.7 x 1.4 < 1: no clamping
    Image out = new ColorJitter(0.4, 0, 0, 0, 1.0).apply(in, new Rng(4));
    float factor = out.pixels()[0] / in.pixels()[0];
    assertFalse(factor == 1f);
    for (int i = 0; i < in.size(); i++) {
      assertEquals(factor, out.pixels()[i] / in.pixels()[i], 1e-5f);
    }
  }

  @Test
  void contrastKeepsTheMeanAndChangesTheSpread() {
    Image in = noiseBetween(1, 8, 8, 0.4f, 0.6f, 5);
    Image out = new ColorJitter(0, 0.4, 0, 0, 1.0).apply(in, new Rng(6));
    assertEquals(mean(in.pixels()), mean(out.pixels()), 1e-5);
    assertFalse(Math.abs(SampleImages.variance(in.pixels())
        - SampleImages.variance(out.pixels())) < 1e-9);
  }

  @Test
  void saturationKeepsTheLumaOfEachPixel() {
    Image in = noiseBetween(3, 5, 5, 0.4f, 0.6f, 7);
    Image out = new ColorJitter(0, 0, 0.4, 0, 1.0).apply(in, new Rng(8));
    assertFalse(Arrays.equals(in.pixels(), out.pixels()));
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 5; x++) {
        assertEquals(luma(in, y, x), luma(out, y, x), 1e-5f);
      }
    }
  }

  @Test
  void hueRotationKeepsEachPixelsBrightestAndDarkestChannel() {
    Image in = noise(3, 6, 6, 9);
    Rng rng = new Rng(10);
    for (int draw = 0; draw < 20; draw++) {
      Image out = new ColorJitter(0, 0, 0, 0.5, 1.0).apply(in, rng);
      assertFalse(Arrays.equals(in.pixels(), out.pixels()));
      for (int y = 0; y < 6; y++) {
        for (int x = 0; x < 6; x++) {
          assertEquals(max(in, y, x), max(out, y, x), 1e-5f);
          assertEquals(min(in, y, x), min(out, y, x), 1e-5f);
        }
      }
    }
  }

  @Test
  void hueRotationTurnsRedTowardsYellowAsItTurnsGreenTowardsCyan() {
    // Pure red, green, blue: a rotation by t turns (|t| <= 1/6) moves each into its neighbour's
    // sextant by 6|t|, all by the same amount: red (1, 6t, 0), green (0, 1, 6t), blue (6t, 0, 1)
    // for t >= 0, and the mirror image for t < 0.
    Image primaries = new Image("rgb", 3, 1, 3,
        new float[] {1, 0, 0, /* green */ 0, 1, 0, /* blue */ 0, 0, 1});
    Rng rng = new Rng(12);
    for (int draw = 0; draw < 20; draw++) {
      Image out = new ColorJitter(0, 0, 0, 1.0 / 6, 1.0).apply(primaries, rng);
      float t = (out.at(1, 0, 0) - out.at(2, 0, 0)) / 6; // from red's green and blue
      float up = Math.max(0, 6 * t);
      float down = Math.max(0, -6 * t);
      assertArrayEquals(new float[] {1, up, down, /* green */ down, 1, up, /* blue */ up, down, 1},
          channelMajorToPixels(out), 1e-5f, "t = " + t);
    }
  }

  @Test
  void mocoV2JitterStaysInUnitRange() {
    ColorJitter jitter = new ColorJitter();
    Rng rng = new Rng(11);
    for (int draw = 0; draw < 200; draw++) {
      SampleImages.assertInUnitRange(jitter.apply(noise(3, 4, 4, draw), rng));
      SampleImages.assertInUnitRange(jitter.apply(noise(1, 4, 4, draw), rng));
    }
  }

  @Test
  void rejectsBadStrengthsNamingFieldAndValue() {
    assertRejected("ColorJitter.brightness", "-0.1", () -> new ColorJitter(-0.1, 0.4, 0.4, 0.1, 0.8));
    assertRejected("ColorJitter.contrast", "NaN",
        () -> new ColorJitter(0.4, Double.NaN, 0.4, 0.1, 0.8));
    assertRejected("ColorJitter.hue", "0.6", () -> new ColorJitter(0.4, 0.4, 0.4, 0.6, 0.8));
    assertRejected("ColorJitter.p", "1.2", () -> new ColorJitter(0.4, 0.4, 0.4, 0.1, 1.2));
  }

  /** The pixels of a 1 x n image as r, g, b of pixel 0, then of pixel 1, ... */
  private static float[] channelMajorToPixels(Image image) {
    float[] rgb = new float[image.size()];
    for (int x = 0; x < image.width(); x++) {
      for (int c = 0; c < 3; c++) {
        rgb[3 * x + c] = image.at(c, 0, x);
      }
    }
    return rgb;
  }

  private static double mean(float[] px) {
    double sum = 0;
    for (float v : px) {
      sum += v;
    }
    return sum / px.length;
  }

  private static float luma(Image image, int y, int x) {
    return Luma.of(image.at(0, y, x), image.at(1, y, x), image.at(2, y, x));
  }

  private static float max(Image image, int y, int x) {
    return Math.max(image.at(0, y, x), Math.max(image.at(1, y, x), image.at(2, y, x)));
  }

  private static float min(Image image, int y, int x) {
    return Math.min(image.at(0, y, x), Math.min(image.at(1, y, x), image.at(2, y, x)));
  }
}
