package dev.contraflow.io.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns the bytes of one record or file into the encoder's input ({@link EncoderInput}): encoded
 * PNG or JPEG, or raw 8-bit grey or RGB pixels, whatever their size, orientation and colour type.
 *
 * <p>Records come from outside (a topic, a folder), so every failure is an {@link
 * InvalidImageException} naming the record and the reason, never an unchecked crash of the job.
 *
 * <p>Nothing is decoded at full resolution when less will do. The size is read from the header
 * first, and an image with more than {@code maxPixels} pixels is refused before any pixel is
 * decoded. Then ImageIO decodes every s-th pixel of every s-th row (source subsampling), with s as
 * large as keeps the decoded image at least twice the encoder's input on the side that {@link
 * EncoderInput.Fit} scales by (what the antialiasing filter needs), and larger if the decoded
 * raster would exceed {@code maxDecodedBytes}. A 4000 x 3000 photo for a 64 x 64 encoder decodes
 * to 174 x 131 pixels (68 KB of raster) instead of 4000 x 3000 (144 MB as floats).
 *
 * <p>The decoded image is then turned upright (JPEG: {@link ExifOrientation}), composited or
 * stripped of alpha, converted to the encoder's channels and fitted to its size, by the rules
 * {@link EncoderInput} states. Values are in [0, 1], scaled by the format's maximum, so a 16-bit
 * grey PNG keeps its precision until the resize.
 */
public final class ImageDecoder {

  private static final int BYTES_SHOWN_FOR_UNKNOWN_FORMAT = 8;
  private static final int LONGEST_MAGIC = 8;
  /**
   * What a decoded pixel costs beyond its raster: colour planes and alpha as floats, and one
   * turned or converted copy of the colour planes.
   */
  private static final int WORKING_BYTES_PER_PIXEL = 7 * Float.BYTES;

  /** ITU-R BT.601 luma weights of R, G and B. */
  private static final float LUMA_R = 0.299f;
  private static final float LUMA_G = 0.587f;
  private static final float LUMA_B = 0.114f;

  private final EncoderInput input;

  public ImageDecoder(EncoderInput input) {
    this.input = Objects.requireNonNull(input, "input");
  }

  /** The shape and rules every decoded image follows. */
  public EncoderInput input() {
    return input;
  }

  /**
   * Decodes PNG or JPEG bytes, recognised by their magic bytes (not by a file name, which a
   * record does not have).
   */
  public Image decode(String id, byte[] bytes) throws InvalidImageException {
    if (bytes == null || bytes.length == 0) {
      throw new InvalidImageException(id, "no image bytes (the record is empty)");
    }
    // In memory: ImageIO.createImageInputStream would spool every record to a temporary file.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      return decode(id, in);
    } catch (IOException e) {
      throw new InvalidImageException(id, "unreadable (" + e.getMessage() + ")", e);
    }
  }

  /** Decodes a PNG or JPEG file, reading only what the codec asks for (no copy in memory). */
  public Image decode(String id, Path file) throws InvalidImageException {
    try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
      if (in.length() == 0) {
        throw new InvalidImageException(id, "empty file");
      }
      return decode(id, in);
    } catch (IOException e) {
      throw new InvalidImageException(id, "cannot read the file (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Converts raw interleaved 8-bit pixels (row by row, the channels of a pixel side by side:
   * HWC) to the encoder's input.
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
    return fit(new Image(id, channels, height, width, planar(bytes, width * height, channels)));
  }

  /**
   * An image already in memory (an IDX record, raw pixels) as the encoder's input: its channels
   * converted and its size fitted; the image itself when it already fits.
   */
  public Image fit(Image decoded) throws InvalidImageException {
    return resize(convert(new Planes(decoded.id(), decoded.channels(), decoded.height(),
        decoded.width(), decoded.pixels(), null)));
  }

  private Image decode(String id, ImageInputStream in) throws IOException, InvalidImageException {
    EncodedFormat format = EncodedFormat.sniff(id, in);
    int orientation = format == EncodedFormat.JPEG
        ? ExifOrientation.read(in) : ExifOrientation.AS_STORED;
    ImageReader reader = format.newReader();
    try {
      return read(id, format, orientation, reader, in);
    } catch (IOException | RuntimeException e) {
      throw new InvalidImageException(id, failureReason(format, e), e);
    } finally {
      reader.dispose();
    }
  }

  private Image read(String id, EncodedFormat format, int orientation, ImageReader reader,
      ImageInputStream in) throws IOException, InvalidImageException {
    reader.setInput(in, true, true);
    // Only the header has been read so far; the limits must hold before reader.read allocates.
    int width = reader.getWidth(0);
    int height = reader.getHeight(0);
    checkPixelLimit(id, format.toString(), width, height);
    boolean swap = ExifOrientation.swapsSides(orientation);
    int s = subsampling(id, format, swap ? height : width, swap ? width : height,
        rasterBytesPerPixel(reader));
    ImageReadParam param = reader.getDefaultReadParam();
    param.setSourceSubsampling(s, s, 0, 0);
    List<String> warnings = new ArrayList<>();
    reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
    BufferedImage decoded = reader.read(0, param);
    // A truncated JPEG decodes "successfully" with a grey bottom and only a warning.
    if (!warnings.isEmpty()) {
      throw new InvalidImageException(id, "corrupt " + format + " (" + String.join("; ", warnings)
          + ")");
    }
    Image converted = convert(planes(id, decoded));
    return resize(ExifOrientation.apply(converted, orientation));
  }

  /**
   * The source subsampling factor s for an image of {@code width x height} (as shown, after
   * orientation): large enough that the decoded raster fits {@code maxDecodedBytes}, and as large
   * as keeps at least twice the pixels the fitted side needs, but never below what it needs.
   */
  private int subsampling(String id, EncodedFormat format, int width, int height,
      int rasterBytesPerPixel) throws InvalidImageException {
    // output / input along the side the fit scales by
    double scale = input.fit() == EncoderInput.Fit.CROP
        ? Math.max((double) input.width() / width, (double) input.height() / height)
        : Math.min((double) input.width() / width, (double) input.height() / height);
    int largest = Math.max(1, (int) Math.floor(1 / scale));
    int wanted = Math.max(1, (int) Math.floor(1 / (2 * scale)));
    long bytesPerPixel = rasterBytesPerPixel + WORKING_BYTES_PER_PIXEL;
    int s = wanted;
    while (s < largest && decodedBytes(width, height, s, bytesPerPixel) > input.maxDecodedBytes()) {
      s++;
    }
    long bytes = decodedBytes(width, height, s, bytesPerPixel);
    if (bytes > input.maxDecodedBytes()) {
      throw new InvalidImageException(id, format + " of " + width + "x" + height + " decodes to "
          + ceilDiv(width, s) + "x" + ceilDiv(height, s) + " pixels = " + bytes + " bytes at the"
          + " encoder's input of " + input.height() + "x" + input.width() + ", more than the limit"
          + " of " + input.maxDecodedBytes() + " bytes (maxDecodedBytes; raise it for images of"
          + " this shape)");
    }
    return s;
  }

  private static long decodedBytes(int width, int height, int s, long bytesPerPixel) {
    return (long) ceilDiv(width, s) * ceilDiv(height, s) * bytesPerPixel;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** The bytes per pixel of the raster ImageIO will allocate, from the header's colour type. */
  private static int rasterBytesPerPixel(ImageReader reader) throws IOException {
    Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
    if (!types.hasNext()) {
      return 4 * Short.BYTES; // the widest PNG pixel: 16-bit RGBA
    }
    SampleModel model = types.next().getSampleModel(1, 1);
    return Math.max(1, model.getNumDataElements()
        * DataBuffer.getDataTypeSize(model.getDataType()) / Byte.SIZE);
  }

  private void checkPixelLimit(String id, String what, long width, long height)
      throws InvalidImageException {
    if (width < 1 || height < 1) {
      throw new InvalidImageException(id, what + " has no pixels: " + width + "x" + height);
    }
    if (width * height > input.maxPixels()) {
      throw new InvalidImageException(id, what + " of " + width + "x" + height + " = "
          + width * height + " pixels exceeds the limit of " + input.maxPixels()
          + " pixels (maxPixels; raise it if images this large are expected)");
    }
  }

  /**
   * Decoded pixels before the rules: 1 (grey) or 3 (RGB) planes, CHW in [0, 1], and the alpha
   * plane when the file has one (null otherwise).
   */
  private record Planes(String id, int channels, int height, int width, float[] colour,
      float[] alpha) {}

  private static Planes planes(String id, BufferedImage decoded) {
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

  /** Band 0 is the grey level (any bit depth), band 1 alpha when the file has it. */
  private static Planes fromGreyRaster(String id, BufferedImage decoded) {
    int width = decoded.getWidth();
    int height = decoded.getHeight();
    Raster raster = decoded.getRaster();
    ColorModel colours = decoded.getColorModel();
    float[] grey = unit(raster.getSamples(0, 0, width, height, 0, (float[]) null),
        colours.getComponentSize(0));
    float[] alpha = colours.hasAlpha() && raster.getNumBands() > 1
        ? unit(raster.getSamples(0, 0, width, height, 1, (float[]) null),
            colours.getComponentSize(1))
        : null;
    return new Planes(id, 1, height, width, grey, alpha);
  }

  private static float[] unit(float[] samples, int bits) {
    float max = (1 << bits) - 1;
    for (int i = 0; i < samples.length; i++) {
      samples[i] /= max;
    }
    return samples;
  }

  /** The first {@code channels} of red, green, blue (8-bit sRGB), and alpha if any. */
  private static Planes fromSrgb(String id, BufferedImage decoded, int channels) {
    int width = decoded.getWidth();
    int height = decoded.getHeight();
    int n = width * height;
    boolean hasAlpha = decoded.getColorModel().hasAlpha();
    float[] colour = new float[channels * n];
    float[] alpha = hasAlpha ? new float[n] : null;
    int[] row = new int[width]; // a row at a time: no int per pixel of the whole image
    for (int y = 0; y < height; y++) {
      decoded.getRGB(0, y, width, 1, row, 0, width);
      for (int x = 0; x < width; x++) {
        int argb = row[x];
        int i = y * width + x;
        for (int c = 0; c < channels; c++) {
          colour[c * n + i] = ((argb >>> (16 - 8 * c)) & 0xff) / 255f;
        }
        if (hasAlpha) {
          alpha[i] = (argb >>> 24) / 255f;
        }
      }
    }
    return new Planes(id, channels, height, width, colour, alpha);
  }

  /** Alpha composited or dropped, then the encoder's channels, by the rules of the input. */
  private Image convert(Planes p) throws InvalidImageException {
    int n = p.height() * p.width();
    float[] colour = p.colour();
    if (p.alpha() != null && input.alpha() != EncoderInput.Alpha.DROP) {
      float background = input.alpha() == EncoderInput.Alpha.WHITE ? 1f : 0f;
      for (int c = 0; c < p.channels(); c++) {
        for (int i = 0; i < n; i++) {
          float a = p.alpha()[i];
          colour[c * n + i] = colour[c * n + i] * a + background * (1 - a);
        }
      }
    }
    if (p.channels() == input.channels()) {
      return new Image(p.id(), p.channels(), p.height(), p.width(), colour);
    }
    if (input.channelConversion() == EncoderInput.ChannelConversion.REFUSE) {
      throw new InvalidImageException(p.id(), "has " + describe(p.channels()) + "; the model takes "
          + describe(input.channels()) + " and channelConversion is REFUSE (CONVERT would "
          + (input.channels() == 1 ? "take its BT.601 luma" : "replicate the grey level") + ")");
    }
    float[] out = new float[input.channels() * n];
    if (input.channels() == 3) { // grey -> RGB: the grey level in every channel
      for (int c = 0; c < 3; c++) {
        System.arraycopy(colour, 0, out, c * n, n);
      }
    } else { // RGB -> grey: BT.601 luma
      for (int i = 0; i < n; i++) {
        out[i] = LUMA_R * colour[i] + LUMA_G * colour[n + i] + LUMA_B * colour[2 * n + i];
      }
    }
    return new Image(p.id(), input.channels(), p.height(), p.width(), out);
  }

  private static String describe(int channels) {
    return channels == 1 ? "1 channel (grey)" : channels + " channels (RGB)";
  }

  /** To the encoder's height x width by the input's fit. */
  private Image resize(Image in) {
    int h = in.height();
    int w = in.width();
    int outH = input.height();
    int outW = input.width();
    if (h == outH && w == outW) {
      return in;
    }
    if (input.fit() == EncoderInput.Fit.CROP) {
      // the largest centred region with the encoder's aspect ratio
      boolean wider = (long) w * outH > (long) h * outW;
      int cropW = wider ? Math.max(1, (int) Math.round((double) h * outW / outH)) : w;
      int cropH = wider ? h : Math.max(1, (int) Math.round((double) w * outH / outW));
      return Resampling.region(in, (h - cropH) / 2, (w - cropW) / 2, cropH, cropW, outH, outW);
    }
    double scale = Math.min((double) outW / w, (double) outH / h);
    int innerW = Math.max(1, Math.min(outW, (int) Math.round(w * scale)));
    int innerH = Math.max(1, Math.min(outH, (int) Math.round(h * scale)));
    Image inner = Resampling.region(in, 0, 0, h, w, innerH, innerW);
    float[] out = new float[in.channels() * outH * outW]; // black around the image
    int top = (outH - innerH) / 2;
    int left = (outW - innerW) / 2;
    for (int c = 0; c < in.channels(); c++) {
      for (int y = 0; y < innerH; y++) {
        System.arraycopy(inner.pixels(), (c * innerH + y) * innerW, out,
            (c * outH + top + y) * outW + left, innerW);
      }
    }
    return new Image(in.id(), in.channels(), outH, outW, out);
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

    /** The format {@code in} starts with; the stream is left at its start. */
    static EncodedFormat sniff(String id, ImageInputStream in)
        throws IOException, InvalidImageException {
      byte[] head = new byte[LONGEST_MAGIC];
      in.seek(0);
      int n = readUpTo(in, head);
      in.seek(0);
      Optional<EncodedFormat> format = Arrays.stream(values())
          .filter(f -> n >= f.magic.length
              && Arrays.equals(head, 0, f.magic.length, f.magic, 0, f.magic.length))
          .findFirst();
      if (format.isEmpty()) {
        throw new InvalidImageException(id, "unknown image format: expected PNG or JPEG, but the"
            + " first bytes are " + HexFormat.ofDelimiter(" ").formatHex(
                head, 0, Math.min(n, BYTES_SHOWN_FOR_UNKNOWN_FORMAT)));
      }
      return format.get();
    }

    private static int readUpTo(ImageInputStream in, byte[] head) throws IOException {
      int n = 0;
      int r;
      while (n < head.length && (r = in.read(head, n, head.length - n)) > 0) {
        n += r;
      }
      return n;
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
