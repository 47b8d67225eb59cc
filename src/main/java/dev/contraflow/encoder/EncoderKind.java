package dev.contraflow.encoder;

/**
 * The encoder backbones contraflow can build. The first three are DL4J graphs; the GEMM kinds are
 * written by hand on ND4J ops, each layer one large matrix product (convolution as im2col + GEMM,
 * batch norm and ReLU applied in place), and train several times faster (`contraflow bench
 * speed`). They have no DL4J model format.
 */
public enum EncoderKind {
  /** conv-BN-ReLU blocks with stride-2 downsampling and global average pooling; for 28x28/32x32. */
  CNN,
  /** ResNet-style basic blocks (two 3x3 convs and a shortcut) in three stages; for larger images. */
  RESNET,
  /** Two dense-BN-ReLU layers on the flattened pixels; fast, weak, useful as a floor. */
  MLP,
  /** {@link #CNN}'s architecture (4x4 stride-4 patchify stem, a 3x3 block, global average pool). */
  GEMM_CNN,
  /** {@link #MLP}'s architecture. */
  GEMM_MLP,
  /**
   * The patchify stem of {@link #GEMM_CNN} (4x4 stride-4 conv, 2w channels, BN, ReLU), then the
   * two dense-BN-ReLU layers of {@link #MLP} on the flattened patch features: unlike global
   * average pooling it keeps where each patch is.
   */
  PATCH_MLP,
  /**
   * A small vision transformer as MoCo v3 trains it: 4x4 patches through a frozen random
   * projection to D = 4w values plus fixed 2-D sin-cos positions, {@code blocksPerStage}
   * pre-norm transformer blocks (heads of 32 dimensions, MLP 4D), a final layer norm and the mean
   * of the tokens as the representation (the paper reads a class token instead). Height and width
   * must be multiples of 4.
   */
  VIT;

  /** Whether this kind is the hand-written GEMM encoder rather than a DL4J graph. */
  public boolean isGemm() {
    return this == GEMM_CNN || this == GEMM_MLP || this == PATCH_MLP || this == VIT;
  }
}
