package dev.contraflow.bench;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's practical float32 limit: BLAS sgemm through {@code Nd4j.gemm}, the call every GEMM
 * encoder and InfoNCE make, on n x n matrices, the median over several repetitions. Model speed is
 * reported as a fraction of this. ({@code INDArray.mmuli} on c-order arrays, used here before, runs
 * at about two thirds of it on ND4J M2.1 and understated the limit.)
 */
public final class MatmulPeak {

  private MatmulPeak() {}

  /** Median GFLOP/s of {@code reps} float n x n x n multiplies (after two warm-ups). */
  public static double gflops(int n, int reps) {
    INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray c = Nd4j.create(DataType.FLOAT, n, n);
    for (int i = 0; i < 2; i++) {
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    }
    double[] rates = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t = System.nanoTime();
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
      rates[i] = 2.0 * n * n * n / (System.nanoTime() - t);
    }
    Arrays.sort(rates);
    return rates[reps / 2];
  }
}
