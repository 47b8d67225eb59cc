package dev.contraflow.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.contraflow.io.image.Image;
import org.junit.jupiter.api.Test;

class RandomGrayscaleTest {

  @Test
  void greyscaleOfColourHasThreeEqualChannelsHoldingTheLuma() {
    Image in = SampleImages.noise(3, 5, 6, 1);
    Image out = new RandomGrayscale(1.0).apply(in, new Rng(0));
    assertEquals(3, out.channels());
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 6; x++) {
        float luma = 0.299f * in.at(0, y, x) + 0.587f * in.at(1, y, x) + 0.114f * in.at(2, y, x);
        assertEquals(luma, out.at(0, y, x), 1e-6f);
        assertEquals(out.at(0, y, x), out.at(1, y, x));
        assertEquals(out.at(0, y, x), out.at(2, y, x));
      }
    }
  }

  @Test
  void whiteStaysWithinUnitRange() {
    Image out = new RandomGrayscale(1.0).apply(SampleImages.constant(3, 2, 2, 1f), new Rng(0));
    SampleImages.assertInUnitRange(out);
  }

  @Test
  void greyImageIsReturnedAsItIs() {
    Image in = SampleImages.noise(1, 4, 4, 2);
    assertSame(in, new RandomGrayscale(1.0).apply(in, new Rng(0)));
  }

  @Test
  void rejectsProbabilityOutsideUnitIntervalNamingFieldAndValue() {
    Rejection.assertRejected("RandomGrayscale.p", "2.0", () -> new RandomGrayscale(2.0));
  }
}
