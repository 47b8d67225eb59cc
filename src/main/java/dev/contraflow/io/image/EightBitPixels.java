package dev.contraflow.io.image;

/**
 * Pixels that came from an 8-bit source, one byte each instead of a float. Every decoder here
 * turns a level {@code b} into {@code b / 255f} (IDX, PNG, JPEG, RAW); an image that was not
 * resized or blended keeps exactly those values, and its bytes give them back bit for bit. An
 * image with any other value (resized, 16-bit, made up by a test) has no 8-bit form: a caller
 * keeps its floats.
 *
 * <p>Why: state that holds images (the streaming job's live set and micro-batches, the replay
 * buffer's snapshot) is written by every checkpoint, and a quarter of the bytes is a quarter of
 * the time.
 */
public final class EightBitPixels {

  private EightBitPixels() {}

  /**
   * The levels {@code b} with {@code b / 255f} bit-identical to each pixel, or null when some
   * pixel has none (then only the floats are exact).
   */
  public static byte[] levels(float[] pixels) {
    byte[] levels = new byte[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      float v = pixels[i];
      // NaN and values outside [0, 1] fail the comparison below
      int b = Math.round(v * 255f);
      if (b < 0 || b > 255
          || Float.floatToRawIntBits(b / 255f) != Float.floatToRawIntBits(v)) {
        return null;
      }
      levels[i] = (byte) b;
    }
    return levels;
  }

  /** The pixels {@link #levels} was given: {@code b / 255f} per level. */
  public static float[] values(byte[] levels) {
    float[] pixels = new float[levels.length];
    for (int i = 0; i < levels.length; i++) {
      pixels[i] = (levels[i] & 0xff) / 255f;
    }
    return pixels;
  }
}
