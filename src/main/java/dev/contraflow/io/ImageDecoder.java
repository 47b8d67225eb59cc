package dev.contraflow.io;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns record bytes into {@link Image}s: encoded PNG/JPEG, or raw 8-bit grey/RGB pixels.
 *
 * <p>Dimensions are read from the header before any pixel is decoded, and images with more than
 * {@code maxPixels} pixels are refused: a few hundred bytes of PNG can claim 100000 x 100000
 * pixels (a decompression bomb), which would otherwise allocate 40 GB.
 */
public final class ImageDecoder {

  /** 4096 x 4096: far above what the encoders take, far below what hurts a task manager. */
  public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

  private final long maxPixels;

  public ImageDecoder(long maxPixels) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
  }

  public ImageDecoder() {
    this(DEFAULT_MAX_PIXELS);
  }

  public long maxPixels() {
    return maxPixels;
  }

  /** Decodes PNG or JPEG bytes. Grey (with or without alpha) gives 1 channel, anything else RGB. */
  public Image decode(String id, byte[] bytes) throws InvalidImageException {
    if (bytes == null || bytes.length == 0) {
      throw new InvalidImageException(id, "empty image bytes");
    }
    String format = sniff(bytes);
    if (format == null) {
      throw new InvalidImageException(id, "unknown image format (expected PNG or JPEG; first bytes "
          + hexPrefix(bytes) + ")");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        checkSize(id, format, reader.getWidth(0), reader.getHeight(0));
        return toImage(id, reader.read(0));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new InvalidImageException(id, "corrupt or truncated " + format + " (" + detail + ")", e);
    }
  }

  /** Raw interleaved 8-bit pixels (HWC): grey (1 channel) or RGB (3). */
  public Image decodeRaw(String id, byte[] bytes, int width, int height, int channels)
      throws InvalidImageException {
    if (channels != 1 && channels != 3) {
      throw new InvalidImageException(id, "raw images must have 1 or 3 channels, got " + channels);
    }
    checkSize(id, "raw", width, height);
    long expected = (long) width * height * channels;
    if (bytes == null || bytes.length != expected) {
      throw new InvalidImageException(id, "raw " + width + "x" + height + "x" + channels
          + " image needs " + expected + " bytes, got " + (bytes == null ? 0 : bytes.length));
    }
    int n = width * height;
    float[] px = new float[channels * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        px[c * n + i] = (bytes[i * channels + c] & 0xff) / 255f;
      }
    }
    return new Image(id, channels, height, width, px);
  }

  private void checkSize(String id, String format, long width, long height)
      throws InvalidImageException {
    if (width < 1 || height < 1) {
      throw new InvalidImageException(id, format + " image has no pixels (" + width + "x" + height + ")");
    }
    if (width * height > maxPixels) {
      throw new InvalidImageException(id, format + " image of " + width + "x" + height + " = "
          + width * height + " pixels exceeds the limit of " + maxPixels
          + " pixels (raise max-pixels if this is intended)");
    }
  }

  private static Image toImage(String id, BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int n = w * h;
    boolean grey = img.getColorModel().getColorSpace().getNumComponents() == 1
        && img.getColorModel().getPixelSize() <= 16 && img.getType() != BufferedImage.TYPE_BYTE_INDEXED;
    if (grey) {
      float[] px = new float[n];
      img.getRaster().getSamples(0, 0, w, h, 0, px);
      float max = (1 << img.getColorModel().getComponentSize(0)) - 1;
      for (int i = 0; i < n; i++) {
        px[i] /= max;
      }
      return new Image(id, 1, h, w, px);
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    float[] px = new float[3 * n];
    for (int i = 0; i < n; i++) {
      px[i] = ((argb[i] >> 16) & 0xff) / 255f;
      px[n + i] = ((argb[i] >> 8) & 0xff) / 255f;
      px[2 * n + i] = (argb[i] & 0xff) / 255f;
    }
    return new Image(id, 3, h, w, px);
  }

  private static String sniff(byte[] b) {
    if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "png";
    }
    if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
      return "jpeg";
    }
    return null;
  }

  private static String hexPrefix(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, b.length); i++) {
      sb.append(String.format("%02x", b[i] & 0xff));
    }
    return sb.toString();
  }
}
