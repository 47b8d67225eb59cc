package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ChannelVectorsTest {

  /** A 1 x 3 view at offset 2 of a flat 1 x 6 vector, as ParameterLayout hands them out. */
  private static INDArray viewOf(INDArray flat) {
    return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(2, 5)).reshape(1, 3);
  }

  @Test
  void readsAViewOfTheFlatParametersFromItsOwnFirstValue() {
    INDArray flat = Nd4j.createFromArray(new double[][] {{0, 1, 2, 3, 4, 5}});

    assertArrayEquals(new double[] {2, 3, 4}, ChannelVectors.read(viewOf(flat)), 0);
  }

  @Test
  void writingAViewChangesOnlyItsValuesInTheFlatVector() {
    INDArray flat = Nd4j.createFromArray(new float[][] {{0, 1, 2, 3, 4, 5}});

    ChannelVectors.write(viewOf(flat), new double[] {20, 30, 40});

    assertArrayEquals(new float[] {0, 1, 20, 30, 40, 5}, flat.toFloatVector(), 0f);
  }

  @Test
  void columnSumsEqualNd4jsColumnReduction() {
    INDArray m = Nd4j.rand(DataType.DOUBLE, 7, 4);

    assertArrayEquals(m.sum(0).toDoubleVector(), new ColumnSums().values(m), 1e-12);
  }
}
