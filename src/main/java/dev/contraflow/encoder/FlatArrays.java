package dev.contraflow.encoder;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bulk copies between flat float vectors and Java arrays.
 *
 * <p>State is handed out as fresh arrays after every step; a bulk NIO copy costs ~0.1 ms where
 * {@code toFloatVector()} costs milliseconds (DESIGN.md, pitfalls).
 */
public final class FlatArrays {

  private FlatArrays() {}

  /** A fresh float[] with the contents of a contiguous float vector. */
  public static float[] copyOut(INDArray vector) {
    float[] out = new float[(int) vector.length()];
    boolean wholeBuffer = vector.dataType() == DataType.FLOAT && vector.offset() == 0
        && vector.length() == vector.data().length();
    if (wholeBuffer) {
      vector.data().asNio().asFloatBuffer().get(out);
      return out;
    }
    return vector.castTo(DataType.FLOAT).dup('c').data().asFloat();
  }

  /** Writes {@code values} into {@code target} (same length), in place. */
  public static void copyIn(float[] values, INDArray target, String what) {
    if (values.length != target.length()) {
      throw new IllegalArgumentException(what + ": expected " + target.length()
          + " values, got " + values.length + " (was the state made with another encoder config?)");
    }
    target.assign(matrix(values, target.shape()));
  }

  /**
   * A new c-ordered float array of {@code shape} holding {@code values}, copied in one bulk NIO
   * put: {@code Nd4j.create(float[], ...)} copies element by element through the buffer's
   * indexer, which cost ~4% of a learner step for the two packed views and the queue's keys
   * (issue 20, JFR profile).
   */
  public static INDArray matrix(float[] values, long... shape) {
    long length = 1;
    for (long n : shape) {
      length *= n;
    }
    if (length != values.length) {
      throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " holds "
          + length + " values, got " + values.length);
    }
    if (length == 0) {
      return Nd4j.create(DataType.FLOAT, shape);
    }
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    out.data().asNio().asFloatBuffer().put(values);
    return out;
  }
}
