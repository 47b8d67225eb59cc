package dev.contraflow.io.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes as an image (docs/fuzzing.md): a decoded image within the pixel limit, or
 * {@link InvalidImageException} - never another exception, and never an allocation past the
 * limit. The seed corpus (ImageDecoderFuzzTestInputs) runs in every build.
 */
class ImageDecoderFuzzTest {

  private static final long MAX_PIXELS = 1 << 16;
  private final ImageDecoder decoder = new ImageDecoder(MAX_PIXELS);

  @FuzzTest(maxDuration = "5m")
  void encodedBytesDecodeWithinTheLimitOrAreRefused(byte[] bytes) {
    try {
      check(decoder.decode("fuzz", bytes));
    } catch (InvalidImageException refused) {
      // the one way to refuse
    }
  }

  @FuzzTest(maxDuration = "5m")
  void rawBytesOfAnyClaimedShapeDecodeOrAreRefused(FuzzedDataProvider data) {
    int width = data.consumeInt();
    int height = data.consumeInt();
    int channels = data.consumeInt(-1, 5);
    try {
      Image image = decoder.decodeRaw("fuzz", data.consumeRemainingAsBytes(), width, height,
          channels);
      check(image);
      assertEquals(width, image.width());
      assertEquals(height, image.height());
    } catch (InvalidImageException refused) {
      // the one way to refuse
    }
  }

  private static void check(Image image) {
    assertTrue((long) image.width() * image.height() <= MAX_PIXELS,
        image.width() + "x" + image.height() + " passed a limit of " + MAX_PIXELS);
    assertEquals((long) image.channels() * image.height() * image.width(),
        image.pixels().length);
  }
}
