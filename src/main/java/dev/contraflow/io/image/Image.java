package dev.contraflow.io.image;

import java.util.Objects;

/**
 * A decoded image: planar (channel-major, CHW) float pixels in [0, 1].
 *
 * <p>Grey images have one channel, colour images three (RGB). The pixel array is owned by the
 * image and must not be changed after construction; views and encoders read it and write new
 * arrays.
 *
 * @param id the record's id (an index for files, the record id for streams)
 * @param channels 1 (grey) or 3 (RGB)
 * @param height rows
 * @param width columns
 * @param pixels {@code channels * height * width} values, index {@code (c * height + y) * width + x}
 */
public record Image(String id, int channels, int height, int width, float[] pixels) {

  public Image {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(pixels, "pixels");
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), got " + channels);
    }
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image " + id + " must have positive size, got " + width + "x" + height);
    }
    if (pixels.length != channels * height * width) {
      throw new IllegalArgumentException(
          "image " + id + ": expected " + channels * height * width + " pixels for "
              + channels + "x" + height + "x" + width + ", got " + pixels.length);
    }
  }

  /** Number of values: channels x height x width. */
  public int size() {
    return pixels.length;
  }

  /** The value at channel {@code c}, row {@code y}, column {@code x}. */
  public float at(int c, int y, int x) {
    return pixels[(c * height + y) * width + x];
  }
}
