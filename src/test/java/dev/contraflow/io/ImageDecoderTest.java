package dev.contraflow.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

  private final ImageDecoder decoder = new ImageDecoder();

  private static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, format, out);
    return out.toByteArray();
  }

  @Test
  void greyPngRoundTripsToOneChannel() throws Exception {
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setPixels(0, 0, 3, 2, new int[] {0, 51, 102, 153, 204, 255});
    Image decoded = decoder.decode("g", encode(img, "png"));
    assertEquals(1, decoded.channels());
    assertEquals(2, decoded.height());
    assertEquals(3, decoded.width());
    assertArrayEquals(new float[] {0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f}, decoded.pixels(), 1e-6f);
  }

  @Test
  void rgbPngRoundTripsToPlanarChannels() throws Exception {
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0xff0000);
    img.setRGB(1, 0, 0x0033ff);
    Image decoded = decoder.decode("c", encode(img, "png"));
    assertEquals(3, decoded.channels());
    // planes: R = (1, 0), G = (0, 0.2), B = (0, 1)
    assertArrayEquals(new float[] {1f, 0f, 0f, 0.2f, 0f, 1f}, decoded.pixels(), 1e-6f);
  }

  @Test
  void jpegDecodesWithItsDimensions() throws Exception {
    BufferedImage img = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
    Image decoded = decoder.decode("j", encode(img, "jpg"));
    assertEquals(16, decoded.width());
    assertEquals(8, decoded.height());
  }

  @Test
  void rawGreyAndRgbBytesBecomePlanarFloats() throws Exception {
    Image grey = decoder.decodeRaw("r1", new byte[] {0, (byte) 255}, 2, 1, 1);
    assertArrayEquals(new float[] {0f, 1f}, grey.pixels());
    // HWC: pixel 0 = (255, 0, 51), pixel 1 = (0, 102, 0)
    Image rgb = decoder.decodeRaw("r3", new byte[] {(byte) 255, 0, 51, 0, 102, 0}, 2, 1, 3);
    assertArrayEquals(new float[] {1f, 0f, 0f, 0.4f, 0.2f, 0f}, rgb.pixels(), 1e-6f);
  }

  @Test
  void rawWithTheWrongLengthNamesTheExpectedSize() {
    InvalidImageException e = assertThrows(InvalidImageException.class,
        () -> decoder.decodeRaw("short", new byte[5], 2, 2, 1));
    assertEquals("short", e.recordId());
    assertTrue(e.reason().contains("needs 4 bytes, got 5"), e.reason());
  }

  @Test
  void garbageAndEmptyBytesAreInvalidNotFatal() {
    InvalidImageException garbage = assertThrows(InvalidImageException.class,
        () -> decoder.decode("x", new byte[] {1, 2, 3, 4, 5}));
    assertTrue(garbage.reason().contains("unknown image format"), garbage.reason());
    InvalidImageException empty = assertThrows(InvalidImageException.class,
        () -> decoder.decode("y", new byte[0]));
    assertEquals("empty image bytes", empty.reason());
  }

  @Test
  void truncatedPngIsRejectedAsCorrupt() throws Exception {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < 32; i++) {
      img.getRaster().setSample(i, i, 0, 200);
    }
    byte[] png = encode(img, "png");
    byte[] truncated = Arrays.copyOf(png, png.length / 2);
    InvalidImageException e = assertThrows(InvalidImageException.class,
        () -> decoder.decode("t", truncated));
    assertTrue(e.reason().startsWith("corrupt or truncated png"), e.reason());
  }

  @Test
  void pngHeaderClaimingHugeDimensionsIsRefusedBeforeDecoding() {
    byte[] bomb = pngHeaderOnly(100_000, 100_000);
    InvalidImageException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> assertThrows(InvalidImageException.class, () -> decoder.decode("bomb", bomb)));
    assertTrue(e.reason().contains("100000x100000"), e.reason());
    assertTrue(e.reason().contains("exceeds the limit of " + ImageDecoder.DEFAULT_MAX_PIXELS),
        e.reason());
  }

  @Test
  void rejectsANonPositivePixelLimit() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ImageDecoder(0));
    assertEquals("maxPixels must be >= 1, got 0", e.getMessage());
  }

  /** PNG signature + a valid IHDR chunk (8-bit grey) and nothing else. */
  private static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes()).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    png.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
    return png.array();
  }
}
