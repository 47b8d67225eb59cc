package dev.contraflow.encoder;

import java.io.Serializable;

/**
 * The shape of an encoder: backbone plus the MoCo v2 projection head (fc-ReLU-fc, Chen et al. 2020,
 * "Improved Baselines with Momentum Contrastive Learning").
 *
 * @param kind backbone family
 * @param channels input channels (1 grey, 3 RGB)
 * @param height input rows the network sees (views are cropped/resized to this)
 * @param width input columns the network sees
 * @param baseWidth channels of the first stage; stages double it (CNN/RESNET: w, 2w, 4w). For MLP
 *     and PATCH_MLP the hidden layers are 16w and 8w units; VIT's tokens have 4w values. 0 = the
 *     kind's {@link #defaultWidth}
 * @param blocksPerStage RESNET: basic blocks per stage (1 gives an 8-layer ResNet); VIT: transformer
 *     blocks
 * @param projectionHidden hidden units of the projection head (MoCo v2: 2048 for ResNet-50; 0: a
 *     linear head, as MoCo v1 and InstDisc)
 * @param projectionDim output dimension d of the head, the space the loss lives in (MoCo: 128)
 * @param seed parameter initialisation seed
 */
public record EncoderConfig(
    EncoderKind kind,
    int channels,
    int height,
    int width,
    int baseWidth,
    int blocksPerStage,
    int projectionHidden,
    int projectionDim,
    long seed) implements Serializable {

  public EncoderConfig {
    if (kind == null) {
      throw new IllegalArgumentException("encoder kind must be one of "
          + java.util.Arrays.toString(EncoderKind.values()) + ", got null");
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException(
          "encoder channels must be 1 (grey) or 3 (RGB), got " + channels);
    }
    requireAtLeast("height", height, 8, "inputs smaller than 8x8 leave nothing after downsampling");
    requireAtLeast("width", width, 8, "inputs smaller than 8x8 leave nothing after downsampling");
    baseWidth = baseWidth == 0 ? defaultWidth(kind) : baseWidth;
    requireAtLeast("baseWidth", baseWidth, 1, "use e.g. 32, or 0 for the kind's default");
    requireAtLeast("blocksPerStage", blocksPerStage, 1,
        "use 1 for an 8-layer ResNet or a one-block ViT");
    if (kind == EncoderKind.VIT && (height % EncoderGraphs.PATCH != 0
        || width % EncoderGraphs.PATCH != 0)) {
      throw new IllegalArgumentException("encoder height and width must be multiples of "
          + EncoderGraphs.PATCH + " for VIT (whole patches), got " + height + "x" + width
          + " (resize the input, e.g. 28x28 or 32x32)");
    }
    requireAtLeast("projectionHidden", projectionHidden, 0,
        "MoCo v2 uses 2048, 512 suits small nets; 0 is MoCo v1's and InstDisc's linear head");
    requireAtLeast("projectionDim", projectionDim, 2, "MoCo uses 128");
  }

  /**
   * The default image encoder: {@link EncoderKind#GEMM_MLP} at its {@link #defaultWidth} w = 64
   * (hidden layers 1024 and 512, a 512-d representation), head 512 -> 128. Measured on
   * Fashion-MNIST (README, "Encoders per sample and per second"): one pass of MoCo v2 with it
   * beats raw pixels where the convolutional encoders do not, at several times their speed on a
   * CPU. The same as {@code default-job.yaml}'s {@code learner.encoder}.
   */
  public static EncoderConfig defaults(int channels, int height, int width) {
    return new EncoderConfig(EncoderKind.GEMM_MLP, channels, height, width, 0, 1, 512, 128, 7L);
  }

  /**
   * The width w an encoder kind gets when none is given (baseWidth 0). GEMM_MLP, the default
   * encoder, takes 64: one pass over Fashion-MNIST with w = 64 gave kNN-20 / weighted kNN / linear
   * probe 0.8495 / 0.8197 / 0.8636 against w = 32's 0.8449 / 0.8181 / 0.8513 (README, "One
   * pass"), at about 1.5x the cost of a step. The other kinds keep the w = 32 they were measured
   * with.
   */
  public static int defaultWidth(EncoderKind kind) {
    return kind == EncoderKind.GEMM_MLP ? 64 : 32;
  }

  /** Dimension of the backbone representation (the embedding users get). */
  public int representationDim() {
    return switch (kind) {
      case CNN, RESNET, GEMM_CNN, VIT -> 4 * baseWidth;
      case MLP, GEMM_MLP, PATCH_MLP -> 8 * baseWidth;
    };
  }

  /** Values per input image: channels x height x width. */
  public int inputSize() {
    return channels * height * width;
  }

  public EncoderConfig withKind(EncoderKind k) {
    return new EncoderConfig(k, channels, height, width, baseWidth, blocksPerStage,
        projectionHidden, projectionDim, seed);
  }

  private static void requireAtLeast(String field, int value, int min, String remedy) {
    if (value < min) {
      throw new IllegalArgumentException(
          "encoder " + field + " must be >= " + min + ", got " + value + " (" + remedy + ")");
    }
  }
}
