package dev.contraflow.encoder;

/** The encoder backbones contraflow can build. */
public enum EncoderKind {
  /** conv-BN-ReLU blocks with stride-2 downsampling and global average pooling; for 28x28/32x32. */
  CNN,
  /** ResNet-style basic blocks (two 3x3 convs and a shortcut) in three stages; for larger images. */
  RESNET,
  /** Two dense-BN-ReLU layers on the flattened pixels; fast, weak, useful as a floor. */
  MLP
}
