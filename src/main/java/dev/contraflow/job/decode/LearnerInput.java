package dev.contraflow.job.decode;

import dev.contraflow.io.image.EightBitPixels;
import dev.contraflow.io.image.Image;

/**
 * A decoded, validated image on its way to its model's learner, with the coordinates its
 * embedding will carry. A Flink POJO; also the element type of the pending micro-batch, the
 * micro-batch under training, the gate sample and the live set's states.
 *
 * <p>An image from an 8-bit source at the encoder's input size travels and sits in state as one
 * byte per pixel ({@link EightBitPixels}): the live set is written by every checkpoint, and bytes
 * are a quarter of its floats, written in bulk. {@link #image()} gives the same floats either way.
 */
public class LearnerInput extends KeyedInput {
  public int channels;
  public int height;
  public int width;
  /** Planar (CHW) floats in [0, 1]; null when {@link #levels} holds them. */
  public float[] pixels;
  /**
   * The pixels as 8-bit levels (pixel = level / 255f, bit for bit), or null: the floats are not
   * all such levels. Added after the first savepoints; their inputs have floats only.
   */
  public byte[] levels;

  public LearnerInput() {}

  public LearnerInput(String modelId, Image image, String sourceTopic, int sourcePartition,
      long sourceOffset, long eventTime) {
    super(image.id(), modelId, sourceTopic, sourcePartition, sourceOffset, eventTime);
    this.channels = image.channels();
    this.height = image.height();
    this.width = image.width();
    this.levels = EightBitPixels.levels(image.pixels());
    this.pixels = levels == null ? image.pixels() : null;
  }

  @Override
  public long sizeBytes() {
    return levels != null ? levels.length : 4L * pixels.length;
  }

  public Image image() {
    return new Image(id, channels, height, width,
        levels != null ? EightBitPixels.values(levels) : pixels);
  }
}
