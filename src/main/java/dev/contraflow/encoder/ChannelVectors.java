package dev.contraflow.encoder;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-channel vectors (1 x C: batch statistics, BN scale and shift, their gradients) computed in
 * Java. A vector has a few hundred values, so each ND4J op on one costs its dispatch - and, on a
 * busy machine, a wait for OpenMP threads - not its arithmetic; batch norm needed a dozen such ops
 * per layer and pass (issue 20: per-op overhead).
 */
final class ChannelVectors {

  private ChannelVectors() {}

  /** The values of a contiguous row vector (a view into the flat parameters, or a GEMM output). */
  static double[] read(INDArray vector) {
    int n = (int) vector.length();
    if (vector.elementWiseStride() != 1) {
      return vector.dup('c').toDoubleVector();
    }
    DataBuffer data = vector.data(); // a view's buffer starts at the view's first value
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = data.getDouble(i);
    }
    return values;
  }

  /** Overwrites the contiguous row vector {@code target} with {@code values}. */
  static void write(INDArray target, double[] values) {
    if (target.elementWiseStride() != 1 || target.length() != values.length) {
      throw new IllegalArgumentException("expected a contiguous vector of " + values.length
          + " values, got shape " + java.util.Arrays.toString(target.shape()));
    }
    DataBuffer data = target.data();
    for (int i = 0; i < values.length; i++) {
      data.put(i, values[i]);
    }
  }

  /** A new 1 x C array of {@code values}, in {@code dataType}. */
  static INDArray of(DataType dataType, double[] values) {
    return Nd4j.create(values, new long[] {1, values.length}, dataType);
  }
}
