package dev.contraflow.augment;

import static dev.contraflow.augment.Rejection.assertRejected;
import static dev.contraflow.augment.SampleImages.variance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.Image;
import org.junit.jupiter.api.Test;

class GaussianBlurTest {

  private final GaussianBlur alwaysStrong = new GaussianBlur(1.0, 1.0, 2.0);

  @Test
  void constantImageStaysConstant() {
    Image in = SampleImages.constant(3, 17, 23, 0.6f);
    Image out = new GaussianBlur(1.0, 0.1, 2.0).apply(in, new Rng(1));
    for (float v : out.pixels()) {
      assertEquals(0.6f, v, 1e-6f);
    }
  }

  @Test
  void blurReducesTheVarianceOfACheckerboard() {
    for (int channels : new int[] {1, 3}) {
      Image in = SampleImages.checkerboard(channels, 32, 32);
      Rng rng = new Rng(2);
      for (int draw = 0; draw < 10; draw++) {
        Image out = alwaysStrong.apply(in, rng);
        assertTrue(variance(out.pixels()) < 0.5 * variance(in.pixels()),
            () -> "variance " + variance(out.pixels()) + " of " + variance(in.pixels()));
        SampleImages.assertInUnitRange(out);
      }
    }
  }

  @Test
  void kernelCoversAboutTenPercentOfTheShorterSide() {
    assertEquals(11, GaussianBlur.largestRadius(224, 224)); // 23 taps, as SimCLR
    assertEquals(1, GaussianBlur.largestRadius(28, 28));
    assertEquals(3, GaussianBlur.largestRadius(64, 100));
    assertEquals(1, GaussianBlur.largestRadius(1, 1));
  }

  @Test
  void tinyImagesBlurWithoutReadingOutsideThem() {
    for (int[] size : new int[][] {{1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 1}}) {
      Image out = alwaysStrong.apply(SampleImages.noise(3, size[0], size[1], 3), new Rng(4));
      assertEquals(size[0], out.height());
      assertEquals(size[1], out.width());
      SampleImages.assertInUnitRange(out);
    }
  }

  @Test
  void neverBlurLeavesTheImageAlone() {
    Image in = SampleImages.noise(1, 8, 8, 1);
    assertSame(in, new GaussianBlur(0.0, 0.1, 2.0).apply(in, new Rng(0)));
  }

  @Test
  void rejectsBadParametersNamingFieldAndValue() {
    assertRejected("GaussianBlur.p", "1.1", () -> new GaussianBlur(1.1, 0.1, 2.0));
    assertRejected("sigmaMin", "0.0", () -> new GaussianBlur(0.5, 0.0, 2.0));
    assertRejected("sigmaMax=0.5", "sigmaMin=1.0", () -> new GaussianBlur(0.5, 1.0, 0.5));
  }
}
