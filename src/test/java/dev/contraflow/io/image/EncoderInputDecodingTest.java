package dev.contraflow.io.image;

import static dev.contraflow.io.image.ImageDecoderTest.shaped;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import org.junit.jupiter.api.Test;

/** Every image becomes the encoder's input by the rules {@link EncoderInput} states. */
class EncoderInputDecodingTest {

  private static final float EXACT = 1e-6f;

  @Test
  void rgbBecomesGreyByBt601Luma() throws Exception {
    BufferedImage rgb = new BufferedImage(3, 1, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(0, 0, 0xff0000);
    rgb.setRGB(1, 0, 0x00ff00);
    rgb.setRGB(2, 0, 0x0000ff);

    Image grey = shaped(1, 1, 3).decode("rgb", EncodedImages.encode(rgb, "png"));

    assertArrayEquals(new float[] {0.299f, 0.587f, 0.114f}, grey.pixels(), EXACT);
  }

  @Test
  void greyBecomesRgbByReplication() throws Exception {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setPixels(0, 0, 2, 1, new int[] {51, 204});

    Image rgb = shaped(3, 1, 2).decode("g", EncodedImages.encode(grey, "png"));

    assertArrayEquals(new float[] {0.2f, 0.8f, 0.2f, 0.8f, 0.2f, 0.8f}, rgb.pixels(), EXACT);
  }

  @Test
  void refuseRuleRefusesOtherChannelsNamingBothCounts() {
    EncoderInput d = EncoderInput.of(3, 2, 2);
    ImageDecoder refusing = new ImageDecoder(new EncoderInput(3, 2, 2, d.fit(), d.alpha(),
        EncoderInput.ChannelConversion.REFUSE, d.maxPixels(), d.maxDecodedBytes()));

    InvalidImageException e = assertThrows(InvalidImageException.class,
        () -> refusing.decode("g", EncodedImages.greyPng(2, 2)));

    assertTrue(e.reason().contains("has 1 channel (grey); the model takes 3 channels (RGB)"),
        e.reason());
    assertTrue(e.reason().contains("REFUSE"), e.reason());
  }

  @Test
  void alphaIsCompositedOverTheConfiguredBackgroundOrDropped() throws Exception {
    BufferedImage rgba = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(0, 0, 0x40ff0000); // red at a quarter opacity (64/255)
    byte[] png = EncodedImages.encode(rgba, "png");
    float a = 64 / 255f;

    Image white = shaped(3, 1, 1, EncoderInput.Alpha.WHITE).decode("w", png);
    Image black = shaped(3, 1, 1, EncoderInput.Alpha.BLACK).decode("b", png);
    Image dropped = shaped(3, 1, 1, EncoderInput.Alpha.DROP).decode("d", png);

    assertArrayEquals(new float[] {1f, 1 - a, 1 - a}, white.pixels(), EXACT);
    assertArrayEquals(new float[] {a, 0f, 0f}, black.pixels(), EXACT);
    assertArrayEquals(new float[] {1f, 0f, 0f}, dropped.pixels(), EXACT);
  }

  @Test
  void sixteenBitRgbaPngBecomesGreyLuma() throws Exception {
    ComponentColorModel rgba16 = new ComponentColorModel(
        ColorSpace.getInstance(ColorSpace.CS_sRGB), true, false, Transparency.TRANSLUCENT,
        DataBuffer.TYPE_USHORT);
    WritableRaster raster = rgba16.createCompatibleWritableRaster(2, 1);
    raster.setPixels(0, 0, 2, 1, new int[] {65535, 0, 0, 65535, 0, 65535, 0, 65535});

    Image grey = shaped(1, 1, 2).decode("rgba16",
        EncodedImages.encode(new BufferedImage(rgba16, raster, false, null), "png"));

    assertArrayEquals(new float[] {0.299f, 0.587f}, grey.pixels(), EXACT);
  }

  @Test
  void cropKeepsTheCentreAndPadKeepsEverythingBetweenBlackBars() throws Exception {
    // 30 x 10: black, white and black thirds
    BufferedImage wide = new BufferedImage(30, 10, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 10; y++) {
      for (int x = 10; x < 20; x++) {
        wide.getRaster().setSample(x, y, 0, 255);
      }
    }
    byte[] png = EncodedImages.encode(wide, "png");
    EncoderInput d = EncoderInput.of(1, 10, 10);

    Image cropped = shaped(1, 10, 10).decode("crop", png);
    Image padded = new ImageDecoder(new EncoderInput(1, 10, 10, EncoderInput.Fit.PAD, d.alpha(),
        d.channelConversion(), d.maxPixels(), d.maxDecodedBytes())).decode("pad", png);

    for (float v : cropped.pixels()) {
      assertEquals(1f, v, EXACT, "the white centre fills the crop");
    }
    // 30 x 10 scaled by 1/3 is 10 x 3, placed in rows 3..5
    assertEquals(0f, padded.at(0, 0, 5), EXACT, "bar above");
    assertEquals(0f, padded.at(0, 9, 5), EXACT, "bar below");
    assertTrue(padded.at(0, 4, 5) > 0.9f, "the white third in the middle");
    assertTrue(padded.at(0, 4, 0) < 0.1f, "the black third at the left");
  }

  @Test
  void portraitPhotoWithExifOrientationSixIsShownUpright() throws Exception {
    // stored as a 64 x 32 landscape: left half white; shown turned clockwise, the top is white
    BufferedImage stored = new BufferedImage(64, 32, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        stored.getRaster().setSample(x, y, 0, 255);
      }
    }
    byte[] jpeg = EncodedImages.withExifOrientation(EncodedImages.encode(stored, "jpg"), 6, false);

    Image shown = shaped(1, 64, 32).decode("portrait", jpeg);

    assertEquals(1f, shown.at(0, 8, 16), 0.05f, "top half white");
    assertEquals(0f, shown.at(0, 56, 16), 0.05f, "bottom half black");
  }

  @Test
  void largeImageIsSubsampledWhileDecodingSoTheByteLimitHolds() throws Exception {
    BufferedImage gradient = new BufferedImage(2000, 2000, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 2000; y++) {
      for (int x = 0; x < 2000; x++) {
        gradient.getRaster().setSample(x, y, 0, (x + y) * 256 / 4000); // mean 127.5 of 255
      }
    }
    byte[] png = EncodedImages.encode(gradient, "png");
    EncoderInput d = EncoderInput.of(1, 28, 28);
    long oneMiB = 1 << 20; // the full 2000 x 2000 raster and planes take over 100 MiB

    Image small = new ImageDecoder(new EncoderInput(1, 28, 28, d.fit(), d.alpha(),
        d.channelConversion(), d.maxPixels(), oneMiB)).decode("small", png);
    InvalidImageException large = assertThrows(InvalidImageException.class,
        () -> new ImageDecoder(new EncoderInput(1, 1000, 1000, d.fit(), d.alpha(),
            d.channelConversion(), d.maxPixels(), oneMiB)).decode("large", png));

    assertEquals(28, small.height());
    assertEquals(28, small.width());
    // the gradient's mean survives subsampling and the antialiased resize
    double mean = 0;
    for (float v : small.pixels()) {
      mean += v / small.size();
    }
    assertEquals(0.5, mean, 0.02);
    assertTrue(large.reason().contains("maxDecodedBytes"), large.reason());
  }

  @Test
  void rawPixelsAreFittedLikeEncodedOnes() throws Exception {
    Image fitted = shaped(3, 2, 2).decodeRaw("raw", new byte[] {0, 0, (byte) 255, (byte) 255,
        0, 0, (byte) 255, (byte) 255}, 4, 2, 1);

    assertEquals(3, fitted.channels());
    assertEquals(2, fitted.height());
    assertEquals(2, fitted.width());
  }
}
