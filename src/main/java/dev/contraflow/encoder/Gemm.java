package dev.contraflow.encoder;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * C = alpha op(A) op(B) + beta C, the call behind every GEMM encoder layer, the column sums and
 * InfoNCE's logits and gradients. On ND4J's CPU backend, float matrices laid out as plain rows or
 * columns go straight to OpenBLAS's {@code cblas_sgemm} (the library nd4j-native ships and itself
 * calls) on the arrays' own buffers; anything else goes through {@link Nd4j#gemm}.
 *
 * <p>Why: {@code Nd4j.gemm} builds an {@code Mmul} custom op, whose shape checks and op dispatch
 * cost a fixed few tens of microseconds and, on a busy machine, a wait for libnd4j's threads
 * before OpenBLAS starts. At the default encoder's shapes that was 8-24% of each GEMM (issue 20,
 * one quiet run: 256x784x512 119 against 139 GFLOP/s called directly; 256x512x128 81 against
 * 106). The result is the same sgemm on the same values, so the two paths agree to float rounding.
 *
 * <p>The CUDA backend (the {@code cuda} profile) keeps {@code Nd4j.gemm}: its buffers live on the
 * device, and the OpenBLAS classes are never loaded there.
 */
public final class Gemm {

  private static final int ROW_MAJOR = 101; // CblasRowMajor
  private static final int NO_TRANS = 111; // CblasNoTrans
  private static final int TRANS = 112; // CblasTrans

  private Gemm() {}

  /** Whether this JVM's ND4J backend is the CPU one with OpenBLAS loadable, decided once. */
  private static final class Direct {
    static final boolean AVAILABLE = available();

    private static boolean available() {
      if (!Nd4j.getEnvironment().isCPU()) {
        return false;
      }
      try {
        openblas_nolapack.blas_get_num_threads(); // loads the library nd4j-native already uses
        return true;
      } catch (LinkageError | RuntimeException e) {
        return false;
      }
    }
  }

  /** Whether {@link #gemm} calls OpenBLAS directly in this JVM (for the benchmark's report). */
  public static boolean direct() {
    return Direct.AVAILABLE;
  }

  /** A new (uninitialised, then overwritten) result op(A) op(B): rows(op(A)) x columns(op(B)). */
  public static INDArray gemm(INDArray a, INDArray b, boolean transposeA, boolean transposeB) {
    if (!Direct.AVAILABLE) {
      return Nd4j.gemm(a, b, transposeA, transposeB); // as the layers called it before
    }
    long m = transposeA ? a.columns() : a.rows();
    long n = transposeB ? b.rows() : b.columns();
    INDArray c = Nd4j.createUninitialized(a.dataType(), m, n);
    return gemm(a, b, c, transposeA, transposeB, 1.0, 0.0);
  }

  /**
   * c := alpha op(a) op(b) + beta c, as {@link Nd4j#gemm(INDArray, INDArray, INDArray, boolean,
   * boolean, double, double)}; returns c.
   */
  public static INDArray gemm(INDArray a, INDArray b, INDArray c, boolean transposeA,
      boolean transposeB, double alpha, double beta) {
    Layout la = Layout.of(a);
    Layout lb = Layout.of(b);
    Layout lc = Layout.of(c);
    if (!Direct.AVAILABLE || la == null || lb == null || lc == null
        || !conforms(a, b, c, transposeA, transposeB)) {
      return Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
    }
    long m = c.rows();
    long n = c.columns();
    long k = transposeA ? a.rows() : a.columns();
    if (lc.columnMajor) {
      // C stored by columns is C^T by rows: C^T = op(B)^T op(A)^T, the operands swapped
      sgemm(n, m, k, lb, !transposeB, b, la, !transposeA, a, lc, c, alpha, beta);
    } else {
      sgemm(m, n, k, la, transposeA, a, lb, transposeB, b, lc, c, alpha, beta);
    }
    return c;
  }

  /** Row-major C (m x n) = alpha op(X) op(Y) + beta C, X's and Y's storage possibly by columns. */
  private static void sgemm(long m, long n, long k, Layout lx, boolean transposeX, INDArray x,
      Layout ly, boolean transposeY, INDArray y, Layout lc, INDArray c, double alpha,
      double beta) {
    // a matrix stored by columns is its transpose stored by rows
    int tx = transposeX != lx.columnMajor ? TRANS : NO_TRANS;
    int ty = transposeY != ly.columnMajor ? TRANS : NO_TRANS;
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, tx, ty, (int) m, (int) n, (int) k, (float) alpha,
        pointer(x), lx.leading, pointer(y), ly.leading, (float) beta, pointer(c), lc.leading);
  }

  private static FloatPointer pointer(INDArray x) {
    return (FloatPointer) x.data().addressPointer(); // a view's buffer starts at its first value
  }

  private static boolean conforms(INDArray a, INDArray b, INDArray c, boolean transposeA,
      boolean transposeB) {
    long m = transposeA ? a.columns() : a.rows();
    long k = transposeA ? a.rows() : a.columns();
    long kb = transposeB ? b.columns() : b.rows();
    long n = transposeB ? b.rows() : b.columns();
    return k == kb && c.rows() == m && c.columns() == n && m > 0 && n > 0 && k > 0
        && c != a && c != b;
  }

  /**
   * A float matrix's storage as BLAS reads it: by rows (stride 1 along a row) or by columns, with
   * its leading dimension; null for anything else (other types, ranks, strides), which ND4J
   * handles.
   */
  private record Layout(boolean columnMajor, int leading) {

    static Layout of(INDArray x) {
      if (x.dataType() != DataType.FLOAT || x.rank() != 2 || x.length() > Integer.MAX_VALUE) {
        return null;
      }
      long rows = x.size(0);
      long cols = x.size(1);
      long s0 = x.stride(0);
      long s1 = x.stride(1);
      if ((s1 == 1 || cols == 1) && s0 >= Math.max(1, cols)) {
        return new Layout(false, (int) Math.max(1, rows == 1 ? cols : s0));
      }
      if ((s0 == 1 || rows == 1) && s1 >= Math.max(1, rows)) {
        return new Layout(true, (int) Math.max(1, cols == 1 ? rows : s1));
      }
      return null;
    }
  }
}
