package dev.contraflow.augment;

import static dev.contraflow.augment.Rejection.assertRejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.io.image.Image;
import org.junit.jupiter.api.Test;

class RandomErasingTest {

  @Test
  void erasesOneRectangleOfTheAskedAreaInEveryChannelAndLeavesTheRestAlone() {
    // a constant image: every changed pixel is an erased one (noise never equals 0.5 exactly)
    Image in = SampleImages.constant(3, 20, 20, 0.5f);
    RandomErasing erase = new RandomErasing(1.0, 0.1, 0.2, 0.5);
    for (long seed = 0; seed < 20; seed++) {
      Image out = erase.apply(in, new Rng(seed));
      int top = 20;
      int bottom = -1;
      int left = 20;
      int right = -1;
      int changed = 0;
      for (int y = 0; y < 20; y++) {
        for (int x = 0; x < 20; x++) {
          boolean erased = out.at(0, y, x) != 0.5f;
          assertEquals(erased, out.at(1, y, x) != 0.5f, "every channel alike at " + y + "," + x);
          assertEquals(erased, out.at(2, y, x) != 0.5f, "every channel alike at " + y + "," + x);
          if (erased) {
            changed++;
            top = Math.min(top, y);
            bottom = Math.max(bottom, y);
            left = Math.min(left, x);
            right = Math.max(right, x);
          }
        }
      }
      assertEquals((bottom - top + 1) * (right - left + 1), changed, "one filled rectangle");
      // rounding the sides of a rectangle of 40-80 pixels moves its area by a few pixels
      assertTrue(changed >= 30 && changed <= 95, "area " + changed + " of 400, seed " + seed);
      SampleImages.assertInUnitRange(out);
    }
  }

  @Test
  void theSameGeneratorStateGivesTheSameViewAndProbabilityZeroNone() {
    Image in = SampleImages.noise(1, 12, 12, 4);
    RandomErasing erase = new RandomErasing(1.0, 0.02, 0.33, 0.3);
    assertArrayEquals(erase.apply(in, new Rng(9)).pixels(), erase.apply(in, new Rng(9)).pixels());
    assertSame(in, new RandomErasing(0.0, 0.02, 0.33, 0.3).apply(in, new Rng(9)));
  }

  @Test
  void rejectsBadScalesAndRatiosNamingTheField() {
    assertRejected("RandomErasing scale", "scaleMax=1.0",
        () -> new RandomErasing(0.5, 0.02, 1.0, 0.3));
    assertRejected("RandomErasing.ratioMin", "2.0", () -> new RandomErasing(0.5, 0.02, 0.3, 2.0));
    assertRejected("RandomErasing.p", "1.5", () -> new RandomErasing(1.5, 0.02, 0.3, 0.3));
  }
}
