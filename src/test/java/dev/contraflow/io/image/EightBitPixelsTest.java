package dev.contraflow.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class EightBitPixelsTest {

  @Test
  void everyLevelAsTheDecodersWriteItComesBackBitIdentical() {
    float[] pixels = new float[256];
    byte[] expected = new byte[256];
    for (int b = 0; b < 256; b++) {
      pixels[b] = b / 255f;
      expected[b] = (byte) b;
    }
    byte[] levels = EightBitPixels.levels(pixels);
    assertArrayEquals(expected, levels);
    assertArrayEquals(pixels, EightBitPixels.values(levels));
  }

  @Test
  void aValueThatIsNoLevelKeepsTheImageInFloats() {
    // a resized pixel, a level off by one ulp, a signed zero, a NaN, above one
    for (float odd : new float[] {0.299f, Math.nextUp(17 / 255f), -0.0f, Float.NaN,
        Math.nextUp(1f)}) {
      assertNull(EightBitPixels.levels(new float[] {0f, odd, 1f}), "" + odd);
    }
  }
}
