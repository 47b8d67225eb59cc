package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class GemmTest {

  private static final float TOLERANCE = 1e-4f;

  /** An r x c float matrix of values in [-1, 1), by rows or by columns. */
  private static INDArray matrix(long r, long c, char order, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.rand(DataType.FLOAT, r, c).muli(2).subi(1).dup(order);
  }

  /**
   * An r x c view, at an offset, of a larger matrix (the layers' parameter slots and the logits'
   * columns are such views): rows 1.. and columns 2.. of an (r + 2) x (c + 3) parent.
   */
  private static INDArray view(long r, long c, char order, long seed) {
    INDArray parent = matrix(r + 2, c + 3, order, seed);
    return parent.get(NDArrayIndex.interval(1, r + 1), NDArrayIndex.interval(2, c + 2));
  }

  /** The values of a matrix, row by row. */
  private static float[] values(INDArray m) {
    return m.dup('c').reshape(-1).toFloatVector();
  }

  private static void assertSameAsNd4j(INDArray a, INDArray b, INDArray c, boolean ta, boolean tb,
      double alpha, double beta) {
    INDArray expected = Nd4j.gemm(a, b, c.dup(), ta, tb, alpha, beta);

    INDArray actual = Gemm.gemm(a, b, c, ta, tb, alpha, beta);

    assertSame(c, actual);
    assertArrayEquals(values(expected), values(actual),
        TOLERANCE, () -> "transposes " + ta + "/" + tb + ", orders " + a.ordering()
            + b.ordering() + c.ordering() + ", views " + a.isView() + b.isView() + c.isView());
  }

  @Test
  void callsOpenBlasDirectlyOnTheCpuBackend() {
    assertTrue(Gemm.direct(), "the tests run on nd4j-native, where the direct path must be on");
  }

  @Test
  void equalsNd4jsGemmForEveryTransposeAndStorageOrder() {
    long m = 5;
    long k = 7;
    long n = 4;
    long seed = 1;
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        for (char oa : new char[] {'c', 'f'}) {
          for (char ob : new char[] {'c', 'f'}) {
            for (char oc : new char[] {'c', 'f'}) {
              INDArray a = ta ? matrix(k, m, oa, seed++) : matrix(m, k, oa, seed++);
              INDArray b = tb ? matrix(n, k, ob, seed++) : matrix(k, n, ob, seed++);
              assertSameAsNd4j(a, b, matrix(m, n, oc, seed++), ta, tb, 0.5, 0.25);
            }
          }
        }
      }
    }
  }

  @Test
  void equalsNd4jsGemmOnViewsWithOffsets() {
    long seed = 100;
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        for (char order : new char[] {'c', 'f'}) {
          INDArray a = ta ? view(6, 3, order, seed++) : view(3, 6, order, seed++);
          INDArray b = tb ? view(5, 6, order, seed++) : view(6, 5, order, seed++);
          assertSameAsNd4j(a, b, view(3, 5, order, seed++), ta, tb, 1.0, 1.0);
        }
      }
    }
  }

  @Test
  void equalsNd4jsGemmForRowAndColumnVectors() {
    INDArray ones = Nd4j.ones(DataType.FLOAT, 1, 9); // ColumnSums' 1 x N row of ones
    INDArray m = matrix(9, 4, 'c', 7);
    assertSameAsNd4j(ones, m, Nd4j.create(DataType.FLOAT, 1, 4), false, false, 1.0, 0.0);
    INDArray column = matrix(9, 4, 'f', 8).getColumn(2, true); // 9 x 1
    assertSameAsNd4j(column, m, Nd4j.create(DataType.FLOAT, 1, 4), true, false, 1.0, 0.0);
    INDArray row = matrix(4, 9, 'f', 9).getRow(1, true); // 1 x 9, strided by columns
    assertSameAsNd4j(m, row, Nd4j.create(DataType.FLOAT, 4, 1), true, true, 2.0, 0.0);
  }

  @Test
  void newResultHasTheProductsShape() {
    INDArray a = matrix(3, 6, 'c', 11);
    INDArray b = matrix(5, 6, 'c', 12);

    INDArray c = Gemm.gemm(a, b, false, true);

    assertArrayEquals(values(a.mmul(b.transpose())), values(c), TOLERANCE);
  }

  @Test
  void doubleMatricesGoThroughNd4jWithTheSameResult() {
    INDArray a = Nd4j.rand(DataType.DOUBLE, 3, 4);
    INDArray b = Nd4j.rand(DataType.DOUBLE, 4, 2);
    INDArray c = Nd4j.create(DataType.DOUBLE, 3, 2);

    Gemm.gemm(a, b, c, false, false, 1.0, 0.0);

    assertArrayEquals(a.mmul(b).dup('c').reshape(-1).toDoubleVector(),
        c.dup('c').reshape(-1).toDoubleVector(), 1e-12);
  }
}
