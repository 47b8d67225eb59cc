package dev.contraflow.io.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns the bytes of one record into an {@link Image}: encoded PNG or JPEG, or raw 8-bit grey or
 * RGB pixels.
 *
 * <p>Records come from outside (a topic, a folder), so every failure is an {@link
 * InvalidImageException} naming the record and the reason, never an unchecked crash of the job.
 *
 * <p>The size is read from the header before any pixel is decoded, and an image with more than
 * {@code maxPixels} pixels is refused. A PNG of a few hundred bytes can claim 100000 x 100000
 * pixels (a decompression bomb); decoding it would allocate 40 GB before noticing anything.
 *
 * <p>Channels follow the file: grey PNGs (any bit depth, with or without alpha), grey JPEGs and
 * palette images whose palette holds only greys give 1 channel; everything else gives 3 (RGB,
 * converted to sRGB, alpha dropped). Values are scaled to [0, 1] by the format's maximum, so a
 * 16-bit grey PNG keeps its precision.
 */
public final class ImageDecoder {

  /** 4096 x 4096: far above what the encoders take, far below what hurts a task manager. */
  public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

  /** An {@link Image} of three channels holds {@code 3 x pixels} floats in one Java array. */
  public static final long LARGEST_MAX_PIXELS = Integer.MAX_VALUE / 3;

  private static final int BYTES_SHOWN_FOR_UNKNOWN_FORMAT = 8;

  private final long maxPixels;

  /** @param maxPixels the largest width x height accepted, in 1..{@link #LARGEST_MAX_PIXELS} */
  public ImageDecoder(long maxPixels) {
    if (maxPixels < 1 || maxPixels > LARGEST_MAX_PIXELS) {
      throw new IllegalArgumentException("maxPixels must be in 1.." + LARGEST_MAX_PIXELS
          + " (width x height of the largest image to accept), got " + maxPixels);
    }
    this.maxPixels = maxPixels;
  }

  /** A decoder accepting up to {@link #DEFAULT_MAX_PIXELS} pixels. */
  public ImageDecoder() {
    this(DEFAULT_MAX_PIXELS);
  }

  public long maxPixels() {
    return maxPixels;
  }

  /**
   * Decodes PNG or JPEG bytes, recognised by their magic bytes (not by a file name, which a
   * record does not have).
   */
  public Image decode(String id, byte[] bytes) throws InvalidImageException {
    if (bytes == null || bytes.length == 0) {
      throw new InvalidImageException(id, "no image bytes (the record is empty)");
    }
    EncodedFormat format = EncodedFormat.sniff(bytes).orElseThrow(() -> new InvalidImageException(
        id, "unknown image format: expected PNG or JPEG, but the first bytes are "
            + HexFormat.ofDelimiter(" ").formatHex(
                bytes, 0, Math.min(bytes.length, BYTES_SHOWN_FOR_UNKNOWN_FORMAT))));
    ImageReader reader = format.newReader();
    // In memory: ImageIO.createImageInputStream would spool every record to a temporary file.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      return read(id, format, reader, in);
    } catch (IOException | RuntimeException e) {
      throw new InvalidImageException(id, failureReason(format, e), e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * Converts raw interleaved 8-bit pixels (row by row, the channels of a pixel side by side:
   * HWC) to planar floats in [0, 1].
   *
   * @param channels 1 (grey) or 3 (RGB)
   */
  public Image decodeRaw(String id, byte[] bytes, int width, int height, int channels)
      throws InvalidImageException {
    if (channels != 1 && channels != 3) {
      throw new InvalidImageException(id,
          "raw images must have 1 (grey) or 3 (RGB) channels, got " + channels);
    }
    checkPixelLimit(id, "raw image", width, height);
    long expected = (long) width * height * channels;
    int actual = bytes == null ? 0 : bytes.length;
    if (actual != expected) {
      throw new InvalidImageException(id, "raw " + width + "x" + height + " image with " + channels
          + " channel(s) needs " + expected + " bytes (width x height x channels), got " + actual);
    }
    return new Image(id, channels, height, width, planar(bytes, width * height, channels));
  }

  private Image read(String id, EncodedFormat format, ImageReader reader, ImageInputStream in)
      throws IOException, InvalidImageException {
    reader.setInput(in, true, true);
    // Only the header has been read so far; the limit must hold before reader.read allocates.
    checkPixelLimit(id, format.toString(), reader.getWidth(0), reader.getHeight(0));
    List<String> warnings = new ArrayList<>();
    reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
    BufferedImage decoded = reader.read(0);
    // A truncated JPEG decodes "successfully" with a grey bottom and only a warning.
    if (!warnings.isEmpty()) {
      throw new InvalidImageException(id, "corrupt " + format + " (" + String.join("; ", warnings)
          + ")");
    }
    return toImage(id, decoded);
  }

  private void checkPixelLimit(String id, String what, long width, long height)
      throws InvalidImageException {
    if (width < 1 || height < 1) {
      throw new InvalidImageException(id, what + " has no pixels: " + width + "x" + height);
    }
    if (width * height > maxPixels) {
      throw new InvalidImageException(id, what + " of " + width + "x" + height + " = "
          + width * height + " pixels exceeds the limit of " + maxPixels
          + " pixels (maxPixels; raise it if images this large are expected)");
    }
  }

  private static Image toImage(String id, BufferedImage decoded) {
    ColorModel colours = decoded.getColorModel();
    if (!isGrey(colours)) {
      return fromSrgb(id, decoded, 3);
    }
    // Palette entries are already 8-bit sRGB; grey rasters are read as stored, since
    // getRGB would apply the linear-to-sRGB curve of Java's grey colour space.
    return colours instanceof IndexColorModel
        ? fromSrgb(id, decoded, 1)
        : fromGreyRaster(id, decoded);
  }

  private static boolean isGrey(ColorModel colours) {
    if (colours instanceof IndexColorModel palette) {
      return paletteHoldsOnlyGreys(palette);
    }
    return colours.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
  }

  private static boolean paletteHoldsOnlyGreys(IndexColorModel palette) {
    for (int i = 0; i < palette.getMapSize(); i++) {
      int red = palette.getRed(i);
      if (palette.getGreen(i) != red || palette.getBlue(i) != red) {
        return false;
      }
    }
    return true;
  }

  /** Band 0 is the grey level, also when band 1 is alpha. */
  private static Image fromGreyRaster(String id, BufferedImage decoded) {
    int width = decoded.getWidth();
    int height = decoded.getHeight();
    float[] pixels = decoded.getRaster().getSamples(0, 0, width, height, 0, (float[]) null);
    float max = (1 << decoded.getColorModel().getComponentSize(0)) - 1;
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] /= max;
    }
    return new Image(id, 1, height, width, pixels);
  }

  /** The first {@code channels} of red, green, blue; alpha is dropped. */
  private static Image fromSrgb(String id, BufferedImage decoded, int channels) {
    int width = decoded.getWidth();
    int height = decoded.getHeight();
    int n = width * height;
    int[] argb = decoded.getRGB(0, 0, width, height, null, 0, width);
    float[] pixels = new float[channels * n];
    for (int c = 0; c < channels; c++) {
      int shift = 16 - 8 * c;
      for (int i = 0; i < n; i++) {
        pixels[c * n + i] = ((argb[i] >>> shift) & 0xff) / 255f;
      }
    }
    return new Image(id, channels, height, width, pixels);
  }

  /** HWC bytes to CHW floats. */
  private static float[] planar(byte[] interleaved, int n, int channels) {
    float[] pixels = new float[channels * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        pixels[c * n + i] = (interleaved[i * channels + c] & 0xff) / 255f;
      }
    }
    return pixels;
  }

  private static String failureReason(EncodedFormat format, Exception e) {
    Set<String> messages = new LinkedHashSet<>();
    boolean endOfData = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      endOfData |= t instanceof EOFException;
      messages.add(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }
    return (endOfData ? "truncated " : "corrupt ") + format + " (" + String.join(": ", messages)
        + ")";
  }

  /** The encoded formats accepted, recognised by the magic bytes they start with. */
  private enum EncodedFormat {
    PNG("png", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}),
    JPEG("jpeg", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff});

    private final String imageIoName;
    private final byte[] magic;

    EncodedFormat(String imageIoName, byte[] magic) {
      this.imageIoName = imageIoName;
      this.magic = magic;
    }

    static Optional<EncodedFormat> sniff(byte[] bytes) {
      return Arrays.stream(values())
          .filter(f -> bytes.length >= f.magic.length
              && Arrays.equals(bytes, 0, f.magic.length, f.magic, 0, f.magic.length))
          .findFirst();
    }

    /** A fresh reader: ImageIO readers are stateful and not thread-safe. */
    ImageReader newReader() {
      Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(imageIoName);
      if (!readers.hasNext()) {
        throw new IllegalStateException("this JVM has no ImageIO reader for " + this
            + "; run on a JDK with the java.desktop module");
      }
      return readers.next();
    }
  }
}
