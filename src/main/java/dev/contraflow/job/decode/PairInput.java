package dev.contraflow.job.decode;

import dev.contraflow.io.image.Image;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.learn.PairExample;

/**
 * A validated image-caption pair on its way to its CLIP model's learner: the decoded image and
 * the caption as text (tokenised again at the step with the configuration the decoder checked it
 * with). A Flink POJO.
 */
public class PairInput extends KeyedInput {
  public int channels;
  public int height;
  public int width;
  /** Planar (CHW) floats in [0, 1]. */
  public float[] pixels;
  public String caption;

  public PairInput() {}

  public PairInput(String modelId, Image image, String caption, String sourceTopic,
      int sourcePartition, long sourceOffset, long eventTime) {
    super(image.id(), modelId, sourceTopic, sourcePartition, sourceOffset, eventTime);
    this.channels = image.channels();
    this.height = image.height();
    this.width = image.width();
    this.pixels = image.pixels();
    this.caption = caption;
  }

  @Override
  public long sizeBytes() {
    return 4L * pixels.length + sizeOf(caption);
  }

  /** The learner's example. */
  public PairExample example(SentenceTokenizer tokenizer) throws InvalidSentenceException {
    return new PairExample(id, new Image(id, channels, height, width, pixels),
        tokenizer.tokenize(id, caption));
  }
}
