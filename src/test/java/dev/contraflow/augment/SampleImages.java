package dev.contraflow.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.Image;

/** Small, obvious images for the augmentation tests. */
final class SampleImages {

  private SampleImages() {}

  /** Uniform noise in [0, 1) from a fixed seed. */
  static Image noise(int channels, int height, int width, long seed) {
    Rng rng = new Rng(seed);
    float[] px = new float[channels * height * width];
    for (int i = 0; i < px.length; i++) {
      px[i] = rng.nextFloat();
    }
    return new Image("noise", channels, height, width, px);
  }

  /** Noise confined to [lo, hi), for properties that hold only away from the clamps. */
  static Image noiseBetween(int channels, int height, int width, float lo, float hi, long seed) {
    float[] px = noise(channels, height, width, seed).pixels();
    for (int i = 0; i < px.length; i++) {
      px[i] = lo + (hi - lo) * px[i];
    }
    return new Image("noise", channels, height, width, px);
  }

  static Image constant(int channels, int height, int width, float value) {
    float[] px = new float[channels * height * width];
    java.util.Arrays.fill(px, value);
    return new Image("constant", channels, height, width, px);
  }

  /** Alternating 0 and 1 pixels, the highest frequency an image can hold. */
  static Image checkerboard(int channels, int height, int width) {
    float[] px = new float[channels * height * width];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          px[(c * height + y) * width + x] = (x + y) % 2;
        }
      }
    }
    return new Image("checkerboard", channels, height, width, px);
  }

  static double variance(float[] px) {
    double mean = 0;
    for (float v : px) {
      mean += v;
    }
    mean /= px.length;
    double sum = 0;
    for (float v : px) {
      sum += (v - mean) * (v - mean);
    }
    return sum / px.length;
  }

  static void assertInUnitRange(Image image) {
    for (float v : image.pixels()) {
      assertTrue(v >= 0f && v <= 1f, () -> "pixel " + v + " outside [0, 1]");
    }
  }

  static void assertSameImage(Image expected, Image actual) {
    assertEquals(expected.id(), actual.id());
    assertEquals(expected.channels(), actual.channels());
    assertEquals(expected.height(), actual.height());
    assertEquals(expected.width(), actual.width());
    assertArrayEquals(expected.pixels(), actual.pixels());
  }
}
