package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The image batch B x C x H x W as channels-last rows (B*H*W) x C, the convolutions' layout. */
final class ChannelsLast implements GemmLayer {

  private long[] shape; // B x C x H x W of the last training input

  @Override
  public INDArray forward(INDArray x, boolean training) {
    shape = x.shape();
    return x.permute(0, 2, 3, 1).dup('c').reshape(shape[0] * shape[2] * shape[3], shape[1]);
  }

  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    if (!inputGradient) {
      return null;
    }
    return dy.reshape(shape[0], shape[2], shape[3], shape[1]).permute(0, 3, 1, 2).dup('c');
  }
}
