package dev.contraflow.augment;

import static dev.contraflow.augment.Rejection.assertRejected;
import static dev.contraflow.augment.SampleImages.assertInUnitRange;
import static dev.contraflow.augment.SampleImages.assertSameImage;
import static dev.contraflow.augment.SampleImages.noise;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.Image;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RandomResizedCropTest {

  @Test
  void fullScaleSquareCropOfSquareImageIsTheIdentity() {
    Image in = noise(3, 12, 12, 1);
    RandomResizedCrop crop = new RandomResizedCrop(12, 12, 1.0, 1.0, 1.0, 1.0);
    for (long seed = 0; seed < 10; seed++) {
      assertArrayEquals(in.pixels(), crop.apply(in, new Rng(seed)).pixels(), 1e-6f);
    }
  }

  @Test
  void fullScaleSquareCropActsAsAPlainResize() {
    Image in = noise(1, 30, 30, 2);
    RandomResizedCrop crop = new RandomResizedCrop(10, 10, 1.0, 1.0, 1.0, 1.0);
    assertSameImage(new Resize(10, 10).apply(in, new Rng(0)), crop.apply(in, new Rng(1)));
  }

  @Test
  void fallsBackToTheCentreBandWhenNoDrawFits() {
    // A 2:1 crop of the full area never fits a square, so every draw fails.
    Image in = rowsNumbered(8, 8);
    Image out = new RandomResizedCrop(4, 8, 1.0, 1.0, 2.0, 2.0).apply(in, new Rng(3));
    float[] middleRows = Arrays.copyOfRange(in.pixels(), 2 * 8, 6 * 8);
    assertArrayEquals(middleRows, out.pixels());
  }

  @Test
  void cropsComeFromWithinTheImageAndKeepItsId() {
    Image in = SampleImages.constant(3, 20, 30, 0.25f);
    RandomResizedCrop crop = new RandomResizedCrop(7, 9);
    Rng rng = new Rng(4);
    for (int draw = 0; draw < 200; draw++) {
      Image out = crop.apply(in, rng);
      assertEquals("constant", out.id());
      assertEquals(7, out.height());
      assertEquals(9, out.width());
      assertInUnitRange(out);
      for (float v : out.pixels()) {
        assertEquals(0.25f, v, 1e-6f);
      }
    }
  }

  @Test
  void rejectsScaleMinAboveScaleMaxNamingBothFields() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RandomResizedCrop(8, 8, 0.9, 0.5, 0.75, 4.0 / 3));
    assertTrue(e.getMessage().contains("scaleMax=0.5") && e.getMessage().contains("scaleMin=0.9"),
        e.getMessage());
  }

  @Test
  void rejectsOutOfRangeParametersNamingFieldAndValue() {
    assertRejected("scaleMin", "0.0", () -> new RandomResizedCrop(8, 8, 0.0, 1.0, 0.75, 1.3));
    assertRejected("scaleMax", "1.2", () -> new RandomResizedCrop(8, 8, 0.2, 1.2, 0.75, 1.3));
    assertRejected("ratioMin", "-1.0", () -> new RandomResizedCrop(8, 8, 0.2, 1.0, -1.0, 1.3));
    assertRejected("ratioMax", "0.5", () -> new RandomResizedCrop(8, 8, 0.2, 1.0, 0.75, 0.5));
    assertRejected("outHeight", "0", () -> new RandomResizedCrop(0, 8));
    assertRejected("outWidth", "-3", () -> new RandomResizedCrop(8, -3));
  }

  /** Row y holds the value y / height everywhere. */
  private static Image rowsNumbered(int height, int width) {
    float[] px = new float[height * width];
    for (int y = 0; y < height; y++) {
      Arrays.fill(px, y * width, (y + 1) * width, (float) y / height);
    }
    return new Image("rows", 1, height, width, px);
  }
}
