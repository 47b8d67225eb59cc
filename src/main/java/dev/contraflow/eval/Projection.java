package dev.contraflow.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dimensionalityreduction.PCA;
import org.nd4j.linalg.factory.Nd4j;

/** A 2-D view of embeddings for plots: the first two principal components. */
public final class Projection {

  private Projection() {}

  /**
   * Rows, centred on their mean, projected on the top two principal directions (ND4J's
   * {@link PCA}: the right singular vectors of the centred data, from LAPACK's gesvd). A direction's
   * sign is arbitrary, as in any PCA. With one-dimensional rows the second coordinate is 0.
   */
  public static float[][] pca2(float[][] rows) {
    int d = rows[0].length;
    // n x d in double: the plot is small, and a float SVD would blur near-equal components
    INDArray data = Nd4j.create(rows).castTo(DataType.DOUBLE);
    INDArray centred = data.subRowVector(data.mean(0));
    // A Fortran-order copy: LAPACK's gesvd overwrites its input (so PCA.pca's projection of that
    // input is garbage), and for a C-order input ND4J M2.1 hands back V where V^T is expected
    INDArray directions = PCA.pca_factor(centred.dup('f'), Math.min(2, d), false); // d x min(2, d)
    INDArray xy = centred.mmul(directions); // n x min(2, d)
    float[][] out = new float[rows.length][2];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < xy.columns(); j++) {
        out[i][j] = (float) xy.getDouble(i, j);
      }
    }
    return out;
  }
}
