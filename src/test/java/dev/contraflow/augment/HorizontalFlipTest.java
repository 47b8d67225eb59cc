package dev.contraflow.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.contraflow.io.image.Image;
import org.junit.jupiter.api.Test;

class HorizontalFlipTest {

  @Test
  void alwaysFlipMirrorsEachRowOfEachChannel() {
    // RGB 2 x 3, every value distinct, so any misplaced pixel shows.
    float[] px = new float[18];
    for (int i = 0; i < px.length; i++) {
      px[i] = i / 20f;
    }
    Image in = new Image("asym", 3, 2, 3, px);
    Image out = new HorizontalFlip(1.0).apply(in, new Rng(0));
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 3; x++) {
          assertEquals(in.at(c, y, 2 - x), out.at(c, y, x));
        }
      }
    }
    assertEquals("asym", out.id());
  }

  @Test
  void flippingTwiceRestoresTheImage() {
    Image in = SampleImages.noise(1, 5, 7, 3);
    HorizontalFlip flip = new HorizontalFlip(1.0);
    Image back = flip.apply(flip.apply(in, new Rng(0)), new Rng(0));
    assertArrayEquals(in.pixels(), back.pixels());
  }

  @Test
  void neverFlipLeavesTheImageAlone() {
    Image in = SampleImages.noise(3, 4, 4, 1);
    assertSame(in, new HorizontalFlip(0.0).apply(in, new Rng(0)));
  }

  @Test
  void defaultFlipsAboutHalfOfTheImages() {
    Image in = SampleImages.noise(1, 2, 2, 1);
    HorizontalFlip flip = new HorizontalFlip();
    Rng rng = new Rng(12);
    int flipped = 0;
    for (int i = 0; i < 2000; i++) {
      flipped += flip.apply(in, rng) == in ? 0 : 1;
    }
    assertEquals(1000, flipped, 100);
  }

  @Test
  void rejectsProbabilityOutsideUnitIntervalNamingFieldAndValue() {
    Rejection.assertRejected("HorizontalFlip.p", "1.5", () -> new HorizontalFlip(1.5));
    Rejection.assertRejected("HorizontalFlip.p", "-0.1",
        () -> new HorizontalFlip(-0.1));
    Rejection.assertRejected("HorizontalFlip.p", "NaN",
        () -> new HorizontalFlip(Double.NaN));
  }
}
