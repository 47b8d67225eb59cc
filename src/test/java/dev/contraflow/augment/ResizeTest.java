package dev.contraflow.augment;

import static dev.contraflow.augment.SampleImages.noise;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.contraflow.io.image.Image;
import org.junit.jupiter.api.Test;

class ResizeTest {

  @Test
  void sameSizeReturnsTheImageUnchanged() {
    Image in = noise(3, 6, 7, 1);
    assertSame(in, new Resize(6, 7).apply(in, new Rng(0)));
  }

  @Test
  void enlargingIsBilinearBetweenPixelCentres() {
    // Two pixels 0 and 1 at centres 0.5 and 1.5; four outputs at centres 0.25 .. 1.75 of the input.
    Image in = new Image("pair", 1, 1, 2, new float[] {0f, 1f});
    Image out = new Resize(1, 4).apply(in, new Rng(0));
    assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, out.pixels(), 1e-6f);
  }

  @Test
  void shrinkingAveragesFineStripesInsteadOfAliasingThem() {
    // Point-sampling a 3x shrink would land on every third column: full-contrast stripes again.
    float[] px = new float[48 * 48];
    for (int i = 0; i < px.length; i++) {
      px[i] = (i % 48) % 2;
    }
    Image out = new Resize(16, 16).apply(new Image("stripes", 1, 48, 48, px), new Rng(0));
    for (float v : out.pixels()) {
      assertEquals(0.5f, v, 0.1f);
    }
  }

  @Test
  void constantImageStaysConstantAtAnySize() {
    Image in = SampleImages.constant(3, 13, 9, 0.7f);
    for (int[] size : new int[][] {{4, 4}, {26, 18}, {1, 30}, {13, 2}}) {
      for (float v : new Resize(size[0], size[1]).apply(in, new Rng(0)).pixels()) {
        assertEquals(0.7f, v, 1e-6f);
      }
    }
  }

  @Test
  void rejectsEmptyOutputNamingTheField() {
    Rejection.assertRejected("outWidth", "0", () -> new Resize(4, 0));
  }
}
