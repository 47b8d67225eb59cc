package dev.contraflow.io.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes as an image (docs/fuzzing.md): an image of the encoder's input shape, or
 * {@link InvalidImageException} - never another exception, and never an allocation past the
 * limits. The seed corpus (ImageDecoderFuzzTestInputs) runs in every build.
 */
class ImageDecoderFuzzTest {

  private static final long MAX_PIXELS = 1 << 16;
  private static final EncoderInput INPUT = EncoderInput.of(1, 28, 28);
  private final ImageDecoder decoder = new ImageDecoder(new EncoderInput(INPUT.channels(),
      INPUT.height(), INPUT.width(), INPUT.fit(), INPUT.alpha(), INPUT.channelConversion(),
      MAX_PIXELS, INPUT.maxDecodedBytes()));

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
    } catch (InvalidImageException refused) {
      // the one way to refuse
    }
  }

  /** Whatever came in, what comes out is the encoder's input. */
  private static void check(Image image) {
    assertEquals(INPUT.channels(), image.channels());
    assertEquals(INPUT.height(), image.height());
    assertEquals(INPUT.width(), image.width());
    assertEquals((long) image.channels() * image.height() * image.width(),
        image.pixels().length);
  }
}
