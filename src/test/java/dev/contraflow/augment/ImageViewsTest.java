package dev.contraflow.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.Image;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageViewsTest {

  /** A ramp that is not symmetric in x or y; channels differ. */
  private static Image ramp(int channels, int h, int w) {
    float[] px = new float[channels * h * w];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          px[(c * h + y) * w + x] = ((x + 2 * y + 5 * c) % 17) / 16f;
        }
      }
    }
    return new Image("ramp", channels, h, w, px);
  }

  @Test
  void sameRngStateGivesBitIdenticalViews() {
    ImageViews views = ImageViews.mocoV2(28, 28, 0.2);
    Image in = ramp(3, 32, 32);
    Image[] a = views.twoViews(in, new Rng(42));
    Image[] b = views.twoViews(in, new Rng(42));
    assertArrayEquals(a[0].pixels(), b[0].pixels());
    assertArrayEquals(a[1].pixels(), b[1].pixels());
    assertFalse(Arrays.equals(a[0].pixels(), views.twoViews(in, new Rng(43))[0].pixels()));
  }

  @Test
  void twoViewsAreIndependentDrawsFromSplits() {
    ImageViews views = ImageViews.mocoV2(20, 20, 0.2);
    Image in = ramp(1, 28, 28);
    Rng rng = new Rng(5);
    Image[] two = views.twoViews(in, rng);
    Rng replay = new Rng(5);
    assertArrayEquals(views.view(in, replay.split()).pixels(), two[0].pixels());
    assertArrayEquals(views.view(in, replay.split()).pixels(), two[1].pixels());
    assertFalse(Arrays.equals(two[0].pixels(), two[1].pixels()));
    assertEquals(replay.state(), rng.state());
  }

  @Test
  void viewsStayInUnitRangeWithTheConfiguredShape() {
    ImageViews views = ImageViews.mocoV2(24, 20, 0.2);
    for (int channels : new int[] {1, 3}) {
      Image in = ramp(channels, 30, 26);
      float[] before = in.pixels().clone();
      Rng rng = new Rng(channels);
      for (int i = 0; i < 200; i++) {
        Image v = views.view(in, rng.split());
        assertEquals(channels, v.channels());
        assertEquals(24, v.height());
        assertEquals(20, v.width());
        for (float p : v.pixels()) {
          assertTrue(p >= 0f && p <= 1f, "pixel " + p);
        }
      }
      assertArrayEquals(before, in.pixels(), "the input must never change");
    }
  }

  @Test
  void flipWithCertaintyMirrorsEachRow() {
    Image in = new Image("f", 1, 2, 3, new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
    Image out = new HorizontalFlip(1.0).apply(in, new Rng(1));
    assertArrayEquals(new float[] {0.3f, 0.2f, 0.1f, 0.6f, 0.5f, 0.4f}, out.pixels());
    assertSame(in, new HorizontalFlip(0.0).apply(in, new Rng(1)));
  }

  @Test
  void fullScaleSquareCropOfASquareImageIsTheIdentity() {
    Image in = ramp(1, 16, 16);
    Image out = new RandomResizedCrop(16, 16, 1.0, 1.0, 1.0, 1.0).apply(in, new Rng(3));
    assertArrayEquals(in.pixels(), out.pixels(), 1e-6f);
  }

  @Test
  void greyscaleOfColourHasEqualChannels() {
    Image out = new RandomGrayscale(1.0).apply(ramp(3, 4, 4), new Rng(1));
    int n = 16;
    for (int i = 0; i < n; i++) {
      assertEquals(out.pixels()[i], out.pixels()[n + i]);
      assertEquals(out.pixels()[i], out.pixels()[2 * n + i]);
    }
  }

  @Test
  void blurKeepsAConstantImageAndSmoothsACheckerboard() {
    GaussianBlur blur = new GaussianBlur(1.0, 1.0, 2.0);
    float[] flat = new float[32 * 32];
    Arrays.fill(flat, 0.5f);
    Image constant = blur.apply(new Image("c", 1, 32, 32, flat), new Rng(2));
    for (float p : constant.pixels()) {
      assertEquals(0.5f, p, 1e-5f);
    }
    float[] board = new float[32 * 32];
    for (int i = 0; i < board.length; i++) {
      board[i] = ((i / 32 + i % 32) % 2 == 0) ? 1f : 0f;
    }
    Image smoothed = blur.apply(new Image("b", 1, 32, 32, board), new Rng(2));
    assertTrue(variance(smoothed.pixels()) < 0.5 * variance(board));
  }

  @Test
  void colourJitterOnGreyKeepsOneChannel() {
    Image out = new ColorJitter(0.4, 0.4, 0.4, 0.1, 1.0).apply(ramp(1, 8, 8), new Rng(9));
    assertEquals(1, out.channels());
    assertFalse(Arrays.equals(ramp(1, 8, 8).pixels(), out.pixels()));
  }

  @Test
  void invalidSettingsAreRejectedWithFieldAndValue() {
    IllegalArgumentException crop = assertThrows(IllegalArgumentException.class,
        () -> new RandomResizedCrop(8, 8, 0.9, 0.5, 0.75, 1.33));
    assertTrue(crop.getMessage().contains("scaleMin=0.9, scaleMax=0.5"), crop.getMessage());
    IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
        () -> new HorizontalFlip(1.5));
    assertEquals("flip p must be a probability in [0, 1], got 1.5", p.getMessage());
  }

  private static double variance(float[] v) {
    double mean = 0;
    for (float x : v) {
      mean += x;
    }
    mean /= v.length;
    double s = 0;
    for (float x : v) {
      s += (x - mean) * (x - mean);
    }
    return s / v.length;
  }
}
