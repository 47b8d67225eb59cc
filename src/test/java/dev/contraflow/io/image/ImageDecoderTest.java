package dev.contraflow.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

  private static final float EXACT = 1e-6f;

  /** For the tests of refusals: any encoder input will do. */
  private final ImageDecoder decoder = shaped(1, 28, 28);

  @Test
  void greyPngDecodesToOneChannelWithTheWrittenValues() throws Exception {
    BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setPixels(0, 0, 3, 2, new int[] {0, 51, 102, 153, 204, 255});

    Image image = shaped(1, 2, 3).decode("g", EncodedImages.encode(grey, "png"));

    assertShape(image, 1, 2, 3);
    assertArrayEquals(new float[] {0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f}, image.pixels(), EXACT);
  }

  @Test
  void sixteenBitGreyPngKeepsItsPrecision() throws Exception {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    grey.getRaster().setPixels(0, 0, 2, 1, new int[] {1, 65535});

    Image image = shaped(1, 1, 2).decode("g16", EncodedImages.encode(grey, "png"));

    assertShape(image, 1, 1, 2);
    assertArrayEquals(new float[] {1f / 65535f, 1f}, image.pixels(), EXACT);
  }

  @Test
  void greyPngWithAlphaDecodesToOneChannelOfGrey() throws Exception {
    ComponentColorModel greyAlpha = new ComponentColorModel(
        ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false, Transparency.TRANSLUCENT,
        DataBuffer.TYPE_BYTE);
    WritableRaster raster = greyAlpha.createCompatibleWritableRaster(2, 1);
    raster.setPixels(0, 0, 2, 1, new int[] {51, 0, 255, 128});  // (grey, alpha) pairs

    Image image = shaped(1, 1, 2, EncoderInput.Alpha.DROP).decode("ga",
        EncodedImages.encode(new BufferedImage(greyAlpha, raster, false, null), "png"));

    assertShape(image, 1, 1, 2);
    assertArrayEquals(new float[] {0.2f, 1f}, image.pixels(), EXACT);
  }

  @Test
  void oneBitGreyPngDecodesToOneChannel() throws Exception {
    BufferedImage binary = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY);
    binary.getRaster().setPixels(0, 0, 3, 1, new int[] {1, 0, 1});

    Image image = shaped(1, 1, 3).decode("b", EncodedImages.encode(binary, "png"));

    assertShape(image, 1, 1, 3);
    assertArrayEquals(new float[] {1f, 0f, 1f}, image.pixels(), EXACT);
  }

  @Test
  void rgbPngDecodesToThreePlanarChannels() throws Exception {
    BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(0, 0, 0xff3366);
    rgb.setRGB(1, 0, 0x00cc99);

    Image image = shaped(3, 1, 2).decode("c", EncodedImages.encode(rgb, "png"));

    assertShape(image, 3, 1, 2);
    // planar: all reds, then all greens, then all blues
    assertArrayEquals(new float[] {1f, 0f, 0.2f, 0.8f, 0.4f, 0.6f}, image.pixels(), EXACT);
  }

  @Test
  void rgbaPngDropsAlpha() throws Exception {
    BufferedImage rgba = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(0, 0, 0x80336699);

    Image image = shaped(3, 1, 1, EncoderInput.Alpha.DROP).decode("a",
        EncodedImages.encode(rgba, "png"));

    assertShape(image, 3, 1, 1);
    assertArrayEquals(new float[] {0.2f, 0.4f, 0.6f}, image.pixels(), EXACT);
  }

  @Test
  void colourPalettePngDecodesToRgb() throws Exception {
    byte[] reds = {(byte) 255, 0};
    byte[] greens = {0, (byte) 255};
    byte[] blues = {0, 0};
    BufferedImage palette = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED,
        new IndexColorModel(8, 2, reds, greens, blues));
    palette.getRaster().setPixels(0, 0, 2, 1, new int[] {1, 0});

    Image image = shaped(3, 1, 2).decode("p", EncodedImages.encode(palette, "png"));

    assertShape(image, 3, 1, 2);
    assertArrayEquals(new float[] {0f, 1f, 1f, 0f, 0f, 0f}, image.pixels(), EXACT);
  }

  @Test
  void jpegDecodesWithItsDimensionsAndApproximateColour() throws Exception {
    BufferedImage rgb = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    fill(rgb, 0xcc3366);

    Image image = shaped(3, 30, 40).decode("j", EncodedImages.encode(rgb, "jpg"));

    assertShape(image, 3, 30, 40);
    assertEquals(0.8f, image.at(0, 15, 20), 0.05f);
    assertEquals(0.2f, image.at(1, 15, 20), 0.05f);
    assertEquals(0.4f, image.at(2, 15, 20), 0.05f);
  }

  @Test
  void greyJpegDecodesToOneChannel() throws Exception {
    BufferedImage grey = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
    int[] level153 = new int[16 * 8];
    Arrays.fill(level153, 153);
    grey.getRaster().setPixels(0, 0, 16, 8, level153);  // setRGB would gamma-convert the grey

    Image image = shaped(1, 8, 16).decode("gj", EncodedImages.encode(grey, "jpg"));

    assertShape(image, 1, 8, 16);
    assertEquals(0.6f, image.at(0, 4, 8), 0.02f);
  }

  @Test
  void rawGreyBytesAreRowMajor() throws Exception {
    Image image = shaped(1, 2, 2).decodeRaw("r", new byte[] {0, 51, (byte) 102, (byte) 255}, 2,
        2, 1);

    assertShape(image, 1, 2, 2);
    assertEquals(0.2f, image.at(0, 0, 1), EXACT);
    assertEquals(0.4f, image.at(0, 1, 0), EXACT);
    assertEquals(1f, image.at(0, 1, 1), EXACT);
  }

  @Test
  void rawRgbBytesAreInterleavedAndBecomePlanar() throws Exception {
    // HWC: pixel (0,0) = (10, 20, 30), pixel (0,1) = (40, 50, 60)
    byte[] interleaved = {10, 20, 30, 40, 50, 60};

    Image image = shaped(3, 1, 2).decodeRaw("rgb", interleaved, 2, 1, 3);

    assertShape(image, 3, 1, 2);
    float[] expected = {10, 40, 20, 50, 30, 60};
    for (int i = 0; i < expected.length; i++) {
      expected[i] /= 255f;
    }
    assertArrayEquals(expected, image.pixels(), EXACT);
  }

  @Test
  void garbageBytesAreAnUnknownFormatNamingTheRecord() {
    byte[] garbage = "hello, not an image".getBytes(StandardCharsets.US_ASCII);

    InvalidImageException e = rejected("17", garbage);

    assertEquals("17", e.recordId());
    assertTrue(e.getMessage().startsWith("image 17: unknown image format"), e.getMessage());
    assertTrue(e.reason().contains("68 65 6c 6c"), "shows the first bytes: " + e.reason());
  }

  @Test
  void emptyAndMissingBytesAreRejected() {
    assertTrue(rejected("e", new byte[0]).reason().contains("empty"));
    assertTrue(rejected("n", null).reason().contains("empty"));
  }

  @Test
  void truncatedPngIsRejectedAsTruncated() throws Exception {
    BufferedImage noise = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < 64 * 64; i++) {
      // incompressible, so half the bytes is half the pixel data
      noise.setRGB(i % 64, i / 64, i * 0x9e3779b9);
    }
    byte[] png = EncodedImages.encode(noise, "png");

    InvalidImageException e = rejected("t", Arrays.copyOf(png, png.length / 2));

    assertTrue(e.getMessage().startsWith("image t: truncated PNG ("), e.getMessage());
  }

  @Test
  void truncatedJpegIsRejectedRatherThanHalfGrey() throws Exception {
    BufferedImage rgb = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    fill(rgb, 0x336699);
    byte[] jpeg = EncodedImages.encode(rgb, "jpg");

    InvalidImageException e = rejected("tj", Arrays.copyOf(jpeg, jpeg.length * 2 / 3));

    assertTrue(e.reason().contains("JPEG"), e.reason());
  }

  @Test
  void pngHeaderClaimingTenGigapixelsIsRejectedByThePixelLimitBeforeDecoding() {
    // only a header: decoding it would fail differently, so the message proves the size check ran
    byte[] bomb = EncodedImages.pngHeaderOnly(100_000, 100_000);

    InvalidImageException e = rejected("bomb", bomb);

    assertTrue(e.reason().contains("100000x100000"), e.reason());
    assertTrue(e.reason().contains("exceeds the limit of " + EncoderInput.DEFAULT_MAX_PIXELS),
        e.reason());
  }

  @Test
  void pixelLimitIsConfigurable() throws Exception {
    BufferedImage grey = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
    byte[] png = EncodedImages.encode(grey, "png");

    assertEquals(100, new ImageDecoder(withMaxPixels(100)).decode("ok", png).size());
    assertThrows(InvalidImageException.class,
        () -> new ImageDecoder(withMaxPixels(99)).decode("big", png));
    assertThrows(InvalidImageException.class,
        () -> new ImageDecoder(withMaxPixels(99)).decodeRaw("big", new byte[100], 10, 10, 1));
  }

  @Test
  void rawBytesOfTheWrongLengthAreRejectedWithBothLengths() {
    InvalidImageException e = assertThrows(InvalidImageException.class,
        () -> decoder.decodeRaw("w", new byte[11], 2, 2, 3));

    assertTrue(e.reason().contains("needs 12 bytes"), e.reason());
    assertTrue(e.reason().contains("got 11"), e.reason());
  }

  @Test
  void rawImagesWithBadChannelsOrSizeAreRejected() {
    assertThrows(InvalidImageException.class, () -> decoder.decodeRaw("c", new byte[8], 2, 2, 2));
    assertThrows(InvalidImageException.class, () -> decoder.decodeRaw("z", new byte[0], 0, 5, 1));
    assertThrows(InvalidImageException.class, () -> decoder.decodeRaw("n", new byte[4], -2, -2, 1));
  }

  @Test
  void pixelLimitMustBePositive() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> withMaxPixels(0));

    assertTrue(e.getMessage().contains("maxPixels = 0"), e.getMessage());
  }

  /** A decoder to channels x height x width, by the default rules. */
  static ImageDecoder shaped(int channels, int height, int width) {
    return new ImageDecoder(EncoderInput.of(channels, height, width));
  }

  static ImageDecoder shaped(int channels, int height, int width, EncoderInput.Alpha alpha) {
    EncoderInput d = EncoderInput.of(channels, height, width);
    return new ImageDecoder(new EncoderInput(channels, height, width, d.fit(), alpha,
        d.channelConversion(), d.maxPixels(), d.maxDecodedBytes()));
  }

  private static EncoderInput withMaxPixels(long maxPixels) {
    EncoderInput d = EncoderInput.of(1, 10, 10);
    return new EncoderInput(1, 10, 10, d.fit(), d.alpha(), d.channelConversion(), maxPixels,
        d.maxDecodedBytes());
  }

  private InvalidImageException rejected(String id, byte[] bytes) {
    return assertThrows(InvalidImageException.class, () -> decoder.decode(id, bytes));
  }

  private static void assertShape(Image image, int channels, int height, int width) {
    assertEquals(channels, image.channels(), "channels");
    assertEquals(height, image.height(), "height");
    assertEquals(width, image.width(), "width");
  }

  private static void fill(BufferedImage image, int rgb) {
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        image.setRGB(x, y, rgb);
      }
    }
  }
}
