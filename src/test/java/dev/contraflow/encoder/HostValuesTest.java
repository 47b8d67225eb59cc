package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class HostValuesTest {

  private static INDArray counting(DataType type) {
    return Nd4j.arange(0, 12).reshape(3, 4).castTo(type); // 0 1 2 3 / 4 5 6 7 / 8 9 10 11
  }

  @Test
  void aViewOfWholeRowsIsReadAndWrittenFromItsOwnFirstValue() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray m = counting(type);
      INDArray lastRows = m.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all()); // 2 x 4
      assertTrue(HostValues.reachable(lastRows), type + ": rows 1-2 are one run of values");
      double[] v = new double[8];
      HostValues.read(lastRows, v);
      assertArrayEquals(new double[] {4, 5, 6, 7, 8, 9, 10, 11}, v, 0, type.toString());

      HostValues.write(new double[] {-1, -2}, 2, lastRows, 3);
      assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 6, -1, -2, 9, 10, 11},
          m.reshape(12).toDoubleVector(), 0, type + ": only values 3-4 of the view change");
    }
  }

  @Test
  void stridedViewsOtherTypesAndColumnOrderAreLeftToNd4j() {
    INDArray m = counting(DataType.FLOAT);
    assertFalse(HostValues.reachable(m.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3))),
        "columns 1-2 are strided");
    assertFalse(HostValues.reachable(m.dup('f')), "values by columns are not the rows' order");
    assertFalse(HostValues.reachable(m.castTo(DataType.HALF)));
    assertTrue(HostValues.reachable(m, m.dup()));
  }

  @Test
  void floatsTravelAsTheyAre() {
    INDArray m = counting(DataType.FLOAT);
    float[] f = new float[3];
    HostValues.readFloats(m, 5, f, 3);
    assertArrayEquals(new float[] {5, 6, 7}, f, 0);
    HostValues.writeFloats(new float[] {0.5f}, 1, m, 11);
    assertTrue(m.getFloat(2, 3) == 0.5f);
  }
}
