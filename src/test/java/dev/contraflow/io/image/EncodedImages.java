package dev.contraflow.io.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

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

  /**
   * {@code jpeg} with an APP1 "Exif" segment right after its start marker whose IFD0 holds only
   * the Orientation tag, in the given byte order, as cameras write it.
   */
  public static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
    ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4)
        .order(littleEndian ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
    tiff.put((byte) (littleEndian ? 'I' : 'M')).put((byte) (littleEndian ? 'I' : 'M'))
        .putShort((short) 42).putInt(8)              // header: byte order, 42, IFD0 at 8
        .putShort((short) 1)                          // one entry
        .putShort((short) 0x0112).putShort((short) 3).putInt(1)  // Orientation, SHORT, count 1
        .putShort((short) orientation).putShort((short) 0)
        .putInt(0);                                   // no next IFD
    byte[] exif = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
    int length = 2 + exif.length + tiff.capacity();
    ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + length);
    out.put(jpeg, 0, 2)                               // SOI
        .put((byte) 0xff).put((byte) 0xe1).putShort((short) length).put(exif).put(tiff.array())
        .put(jpeg, 2, jpeg.length - 2);
    return out.array();
  }
}
