package dev.contraflow.learn;

import dev.contraflow.contrast.LogitScale;
import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.encoder.EncoderKind;
import dev.contraflow.encoder.OptimizerConfig;
import dev.contraflow.encoder.TextEncoderConfig;
import dev.contraflow.io.text.TokenizerConfig;
import dev.contraflow.learn.replay.ReplayConfig;
import java.io.Serializable;

/**
 * Everything that defines a CLIP learner (Radford et al. 2021), validated once: an image encoder
 * and a text encoder whose projection heads end in the same dimension, the space both modalities
 * are embedded in. Defaults follow CLIP where it applies to small encoders trained from scratch:
 * Adam for both towers, initial temperature 0.07 learned from there (clamped to scale <= 100), and
 * only a light random crop of the images (CLIP's only augmentation is a random square crop).
 *
 * @param image the image encoder; its {@code projectionDim} is the shared dimension
 * @param tokenizer caption text to ids
 * @param text the text encoder; matches the tokenizer (0 in its vocabulary, tokens or ids per
 *     token: taken from the tokenizer), and projects to the same dimension
 * @param optimizer how both towers' parameters move; the logit scale always uses Adam at this
 *     learning rate ({@link LogitScale})
 * @param initialTemperature 1 / the initial logit scale (CLIP: 0.07)
 * @param cropScaleMin smallest area fraction of the image's random resized crop; 1 = no
 *     augmentation
 * @param batchSize B, pairs per step: each pair's negatives are the B - 1 others
 * @param seed seed of the learner's random stream (crops, dropout masks)
 * @param replay the replay buffer and gradient steps per incoming micro-batch; null or {@link
 *     ReplayConfig#NONE}: one step on the incoming pairs, no buffer
 */
public record PairLearnerConfig(
    EncoderConfig image,
    TokenizerConfig tokenizer,
    TextEncoderConfig text,
    OptimizerConfig optimizer,
    double initialTemperature,
    double cropScaleMin,
    int batchSize,
    long seed,
    ReplayConfig replay) implements Serializable {

  /** The settings without replay ({@link ReplayConfig#NONE}). */
  public PairLearnerConfig(EncoderConfig image, TokenizerConfig tokenizer, TextEncoderConfig text,
      OptimizerConfig optimizer, double initialTemperature, double cropScaleMin, int batchSize,
      long seed) {
    this(image, tokenizer, text, optimizer, initialTemperature, cropScaleMin, batchSize, seed,
        ReplayConfig.NONE);
  }

  public PairLearnerConfig {
    if (image == null || tokenizer == null || text == null || optimizer == null) {
      throw new IllegalArgumentException("image, tokenizer, text and optimizer must be set");
    }
    replay = replay == null ? ReplayConfig.NONE : replay; // model files from before replay
    text = text.fittedTo(tokenizer.buckets(), tokenizer.maxTokens(), tokenizer.slotsPerToken());
    if (image.projectionDim() != text.projectionDim()) {
      throw new IllegalArgumentException("the image and text encoders must project to the same"
          + " dimension (the shared embedding space), got " + image.projectionDim() + " and "
          + text.projectionDim());
    }
    if (text.vocabularySize() != tokenizer.buckets()
        || text.slotsPerToken() != tokenizer.slotsPerToken()
        || text.maxTokens() != tokenizer.maxTokens()) {
      throw new IllegalArgumentException("the text encoder must match the tokenizer (buckets,"
          + " ids per token, tokens): build it with SentenceLearnerConfig.encoderFor");
    }
    LogitScale.ofTemperature(initialTemperature); // validates
    if (!(cropScaleMin > 0 && cropScaleMin <= 1)) {
      throw new IllegalArgumentException("cropScaleMin must be in (0, 1], got " + cropScaleMin
          + " (1 = no augmentation)");
    }
    if (batchSize < 2) {
      throw new IllegalArgumentException("batchSize must be >= 2 (a pair's negatives are the"
          + " other pairs of its batch), got " + batchSize + " (CLIP uses 32768; 64-256 here)");
    }
  }

  /** The shared embedding dimension. */
  public int dim() {
    return image.projectionDim();
  }

  public PairLearnerConfig withBatchSize(int b) {
    return new PairLearnerConfig(image, tokenizer, text, optimizer, initialTemperature,
        cropScaleMin, b, seed, replay);
  }

  public PairLearnerConfig withReplay(ReplayConfig r) {
    return new PairLearnerConfig(image, tokenizer, text, optimizer, initialTemperature,
        cropScaleMin, batchSize, seed, r);
  }
}
