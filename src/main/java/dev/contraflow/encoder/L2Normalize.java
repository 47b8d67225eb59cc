package dev.contraflow.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Rows scaled to unit length, u = z / |z| (SwAV scores the unit projection, Caron et al. 2020). */
final class L2Normalize implements GemmLayer {

  private static final double EPS = 1e-12;

  private INDArray u; // B x d
  private INDArray norm; // B x 1

  @Override
  public INDArray forward(INDArray z, boolean training) {
    INDArray n = z.norm2(true, 1).addi(EPS); // B x 1
    INDArray out = z.divColumnVector(n);
    u = training ? out : null;
    norm = training ? n : null;
    return out;
  }

  /** dz = (du - u (u . du)) / |z|: the part of du along u does not change the direction. */
  @Override
  public INDArray backward(INDArray du, boolean inputGradient) {
    INDArray along = u.mul(du).sum(true, 1); // B x 1
    INDArray dz = du.sub(u.mulColumnVector(along)).diviColumnVector(norm);
    u = null;
    norm = null;
    return dz;
  }
}
