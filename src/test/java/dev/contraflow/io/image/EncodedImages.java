package dev.contraflow.io.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.bench.PhotoCorpus;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Encoded image bytes for tests: real PNG/JPEG files and crafted headers. */
public final class EncodedImages {

  private EncodedImages() {}

  public static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      assertTrue(ImageIO.write(image, format, out), "no ImageIO writer for " + format);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A grey PNG with a diagonal gradient. */
  public static byte[] greyPng(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int v = (x + y) * 255 / (width + height);
        image.setRGB(x, y, v << 16 | v << 8 | v);
      }
    }
    return encode(image, "png");
  }

  /** The PNG signature and an IHDR chunk (8-bit grey) with a valid CRC, and nothing else. */
  public static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(17)
        .put("IHDR".getBytes(StandardCharsets.US_ASCII))
        .putInt(width).putInt(height)
        .put(new byte[] {8, 0, 0, 0, 0});  // bit depth, colour type, compression, filter, interlace
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    return ByteBuffer.allocate(8 + 4 + 17 + 4)
        .put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
        .putInt(13).put(ihdr.array()).putInt((int) crc.getValue())
        .array();
  }

  /** {@code jpeg} with an EXIF Orientation tag, as {@link PhotoCorpus} writes it. */
  public static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
    return PhotoCorpus.withExifOrientation(jpeg, orientation, littleEndian);
  }
}
