package dev.contraflow.io.image;

import java.io.Serializable;
import java.util.Objects;

/**
 * What every decoded image becomes, and the rules that get it there: the encoder's input of
 * {@code channels x height x width}, whatever size, orientation and colour type a file or record
 * holds.
 *
 * <ul>
 *   <li>Size: {@link Fit#CROP} scales the shorter side to the target and cuts the centre out of
 *       the longer one; {@link Fit#PAD} scales the longer side to the target and pads the rest
 *       with black. Both resample with {@link Resampling} (bilinear, antialiased when shrinking).
 *   <li>Channels: grey to RGB replicates the grey level; RGB to grey is ITU-R BT.601 luma, {@code
 *       0.299 R + 0.587 G + 0.114 B} on the stored (gamma-encoded) values, as JPEG's own Y is.
 *       {@link ChannelConversion#REFUSE} refuses such an image instead.
 *   <li>Alpha: {@link Alpha#DROP} keeps the colour under it as stored; {@link Alpha#WHITE} and
 *       {@link Alpha#BLACK} composite the image over that background, as a viewer shows it.
 *   <li>Bounds: {@code maxPixels} limits width x height read from the header before anything is
 *       decoded (a PNG of a few hundred bytes can claim 100000 x 100000 pixels); {@code
 *       maxDecodedBytes} limits what the decoded, subsampled raster and the float planes made
 *       from it may take.
 * </ul>
 *
 * @param channels 1 (grey) or 3 (RGB)
 * @param height rows of the encoder's input
 * @param width columns of the encoder's input
 * @param fit how an image of another aspect ratio is fitted
 * @param alpha what becomes of transparency
 * @param channelConversion whether an image with other channels is converted or refused
 * @param maxPixels the largest width x height accepted, in 1..{@link #LARGEST_MAX_PIXELS}
 * @param maxDecodedBytes the most a decoded image may take before it is resized
 */
public record EncoderInput(int channels, int height, int width, Fit fit, Alpha alpha,
    ChannelConversion channelConversion, long maxPixels, long maxDecodedBytes)
    implements Serializable {

  /** 4096 x 4096 (16.7 megapixels): above the 12-megapixel photos of a phone. */
  public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

  /**
   * The largest width x height accepted at all: 65536 x 32768. The header's numbers must stay
   * in reach of {@code int} arithmetic in the codecs.
   */
  public static final long LARGEST_MAX_PIXELS = Integer.MAX_VALUE / 3;

  /** 64 MiB: a 2048 x 2048 RGB raster with its planes; subsampling keeps photos far below. */
  public static final long DEFAULT_MAX_DECODED_BYTES = 64L << 20;

  /** The smallest {@code maxDecodedBytes}: one 64 x 64 RGBA raster with its planes. */
  public static final long SMALLEST_MAX_DECODED_BYTES = 64L * 64L * 32L;

  private static final long serialVersionUID = 1L;

  /** How an image whose aspect ratio differs from the encoder's is fitted. */
  public enum Fit {
    /** Shorter side to the target, the centre of the longer side kept (torchvision's Resize + CenterCrop). */
    CROP,
    /** Longer side to the target, the rest padded with black (letterbox): nothing is cut off. */
    PAD
  }

  /** What becomes of an alpha channel (PNG with transparency). */
  public enum Alpha {
    /** The stored colour, whatever its opacity. */
    DROP,
    /** Composited over white, as a browser shows it. */
    WHITE,
    /** Composited over black. */
    BLACK
  }

  /** Whether an image with other channels than the encoder's is converted or refused. */
  public enum ChannelConversion {
    /** Grey to RGB by replication, RGB to grey by BT.601 luma. */
    CONVERT,
    /** A refusal naming both channel counts (a dead letter in the job). */
    REFUSE
  }

  public EncoderInput {
    Objects.requireNonNull(fit, "fit");
    Objects.requireNonNull(alpha, "alpha");
    Objects.requireNonNull(channelConversion, "channelConversion");
    require(channels == 1 || channels == 3, "channels", channels, "use 1 (grey) or 3 (RGB)");
    require(height >= 1, "height", height, "use at least 1");
    require(width >= 1, "width", width, "use at least 1");
    require(maxPixels >= 1 && maxPixels <= LARGEST_MAX_PIXELS, "maxPixels", maxPixels,
        "use 1.." + LARGEST_MAX_PIXELS + " (width x height of the largest image to accept)");
    require(maxDecodedBytes >= SMALLEST_MAX_DECODED_BYTES, "maxDecodedBytes", maxDecodedBytes,
        "use at least " + SMALLEST_MAX_DECODED_BYTES);
  }

  /** The encoder's input shape with the default rules: centre crop, alpha over white, convert. */
  public static EncoderInput of(int channels, int height, int width) {
    return new EncoderInput(channels, height, width, Fit.CROP, Alpha.WHITE,
        ChannelConversion.CONVERT, DEFAULT_MAX_PIXELS, DEFAULT_MAX_DECODED_BYTES);
  }

  /** The same rules for another shape (a model file's). */
  public EncoderInput withShape(int channels, int height, int width) {
    return new EncoderInput(channels, height, width, fit, alpha, channelConversion, maxPixels,
        maxDecodedBytes);
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width + " (" + fit + ", alpha " + alpha + ", "
        + channelConversion + " channels)";
  }

  private static void require(boolean ok, String field, Object value, String remedy) {
    if (!ok) {
      throw new IllegalArgumentException(
          "encoder input " + field + " = " + value + " is invalid: " + remedy);
    }
  }
}
