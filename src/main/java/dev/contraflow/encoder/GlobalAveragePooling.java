package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The mean over each example's P positions: (B*P) x C maps become B x C. */
final class GlobalAveragePooling implements GemmLayer {

  private final long positions;

  GlobalAveragePooling(long positions) {
    this.positions = positions;
  }

  @Override
  public INDArray forward(INDArray x, boolean training) {
    long b = x.size(0) / positions;
    return x.reshape(b, positions, x.size(1)).mean(1); // B x C
  }

  @Override
  public INDArray backward(INDArray dy, boolean inputGradient) {
    long b = dy.size(0);
    long c = dy.size(1);
    // every position gets 1/P of its example's gradient: a broadcast add onto zeros, several
    // times faster than repeat()
    return Nd4j.zeros(dy.dataType(), b, positions, c).addi(dy.div(positions).reshape(b, 1, c))
        .reshape(b * positions, c);
  }
}
