package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The ViT's parts on hand-made values, and their input gradients against finite differences. */
class AttentionAndLayerNormTest {

  private static LayerNorm boundLayerNorm(int dim) {
    LayerNorm norm = new LayerNorm(dim);
    INDArray params = Nd4j.create(DataType.DOUBLE, 1, 2 * dim);
    norm.bind(new ParameterLayout(params, Nd4j.create(DataType.DOUBLE, 1, 2 * dim), 2 * dim, 1L));
    return norm;
  }

  private static INDArray matrix(double[][] rows) {
    return Nd4j.createFromArray(rows);
  }

  /**
   * The gradient of L = sum(f(x) * r) with respect to x, by central differences, against {@code
   * analytic}.
   */
  private static void assertInputGradient(Function<INDArray, INDArray> f, INDArray x, INDArray r,
      INDArray analytic) {
    double h = 1e-6;
    for (int i = 0; i < x.length(); i++) {
      double original = x.getDouble(i);
      x.putScalar(i, original + h);
      double plus = f.apply(x).mul(r).sumNumber().doubleValue();
      x.putScalar(i, original - h);
      double minus = f.apply(x).mul(r).sumNumber().doubleValue();
      x.putScalar(i, original);
      double numeric = (plus - minus) / (2 * h);
      assertEquals(numeric, analytic.getDouble(i), 1e-7 + 1e-5 * Math.abs(numeric),
          "input " + i);
    }
  }

  @Test
  void layerNormNormalisesEachRowOnItsOwn() {
    LayerNorm norm = boundLayerNorm(4);
    // row 1: mean 2.5, variance 1.25; row 2 is row 1 times 10 plus 7: variance 125, so the
    // epsilon (1e-6) weighs a hundred times less and the two rows normalise alike to 1e-6
    INDArray y = norm.forward(matrix(new double[][] {{1, 2, 3, 4}, {17, 27, 37, 47}}), false);
    double[] variance = {1.25, 125};
    double[] scale = {1, 10};
    double[] centredRow1 = {-1.5, -0.5, 0.5, 1.5};
    for (int row = 0; row < 2; row++) {
      for (int j = 0; j < 4; j++) {
        double expected = scale[row] * centredRow1[j] / Math.sqrt(variance[row] + 1e-6);
        assertEquals(expected, y.getDouble(row, j), 1e-12, "row " + row + " value " + j);
        assertEquals(y.getDouble(0, j), y.getDouble(row, j), 1e-6);
      }
    }
  }

  @Test
  void layerNormGradientsMatchFiniteDifferences() {
    LayerNorm norm = boundLayerNorm(5);
    INDArray x = GemmEncoderTest.images(1, 1, 3, 5, 1L, DataType.DOUBLE).reshape(3, 5);
    INDArray r = GemmEncoderTest.images(1, 1, 3, 5, 2L, DataType.DOUBLE).reshape(3, 5);
    norm.forward(x, true);
    INDArray analytic = norm.backward(r.dup(), true);
    assertInputGradient(in -> norm.forward(in, false), x, r, analytic);
  }

  @Test
  void equalKeysAttendUniformlySoEachTokenGetsItsHeadsMeanValue() {
    // P = 3 tokens, D = 4 in 2 heads; every key the same, so every softmax row is 1/3 each
    MultiHeadSelfAttention attention = new MultiHeadSelfAttention(3, 4, 2);
    double[][] qkv = new double[3][];
    double[][] values = {{1, 2, 3, 4}, {4, 5, 6, 7}, {7, 8, 9, 10}};
    for (int t = 0; t < 3; t++) {
      double[] row = new double[12];
      row[0] = t; // queries differ
      row[3] = -t;
      java.util.Arrays.fill(row, 4, 8, 0.5); // keys are equal
      System.arraycopy(values[t], 0, row, 8, 4);
      qkv[t] = row;
    }
    INDArray out = attention.forward(matrix(qkv), false);
    for (int t = 0; t < 3; t++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(values[1][j], out.getDouble(t, j), 1e-12, "token " + t + " value " + j);
      }
    }
  }

  @Test
  void aQueryThatMatchesOneKeyReadsThatTokensValueInItsOwnHeadOnly() {
    // head 0 (columns 0-1): token 0's query is 40 x key 2 and far from the others; head 1 uniform
    MultiHeadSelfAttention attention = new MultiHeadSelfAttention(3, 4, 2);
    double[][] qkv = {
        {40, 0, 0, 0, /* keys */ 0, 0, 0, 0, /* values */ 1, 1, 1, 1},
        {0, 0, 0, 0, 0, 1, 0, 0, 2, 2, 2, 2},
        {0, 0, 0, 0, 1, 0, 0, 0, 3, 3, 3, 3}};
    INDArray out = attention.forward(matrix(qkv), false);
    assertEquals(3, out.getDouble(0, 0), 1e-9, "head 0 reads token 2's value");
    assertEquals(2, out.getDouble(0, 2), 1e-12, "head 1 averages all three");
  }

  @Test
  void attentionGradientsMatchFiniteDifferencesWithSeveralHeadsAndExamples() {
    // B = 2 examples of P = 3 tokens, D = 4 in 2 heads: 6 rows of [Q | K | V]
    MultiHeadSelfAttention attention = new MultiHeadSelfAttention(3, 4, 2);
    INDArray x = GemmEncoderTest.images(1, 1, 6, 12, 3L, DataType.DOUBLE).reshape(6, 12).muli(3);
    INDArray r = GemmEncoderTest.images(1, 1, 6, 4, 4L, DataType.DOUBLE).reshape(6, 4);
    attention.forward(x, true);
    INDArray analytic = attention.backward(r.dup(), true);
    assertInputGradient(in -> attention.forward(in, false), x, r, analytic);
  }

  @Test
  void headsAreOf32DimensionsWhereTheyDivide() {
    assertEquals(4, TransformerBlock.heads(128));
    assertEquals(2, TransformerBlock.heads(64));
    assertEquals(1, TransformerBlock.heads(48));
    assertTrue(TransformerBlock.heads(8) == 1);
  }
}
