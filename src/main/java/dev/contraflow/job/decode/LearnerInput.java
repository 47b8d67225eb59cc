package dev.contraflow.job.decode;

import dev.contraflow.io.image.Image;

/**
 * A decoded, validated image on its way to its model's learner, with the coordinates its
 * embedding will carry. A Flink POJO; also the element type of the pending micro-batch state.
 */
public class LearnerInput extends KeyedInput {
  public int channels;
  public int height;
  public int width;
  /** Planar (CHW) floats in [0, 1]. */
  public float[] pixels;

  public LearnerInput() {}

  public LearnerInput(String modelId, Image image, String sourceTopic, int sourcePartition,
      long sourceOffset, long eventTime) {
    super(image.id(), modelId, sourceTopic, sourcePartition, sourceOffset, eventTime);
    this.channels = image.channels();
    this.height = image.height();
    this.width = image.width();
    this.pixels = image.pixels();
  }

  @Override
  public long sizeBytes() {
    return 4L * pixels.length;
  }

  public Image image() {
    return new Image(id, channels, height, width, pixels);
  }
}
