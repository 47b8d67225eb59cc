package dev.contraflow.contrast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RepresentationGeometryTest {

  @Test
  void alignmentIsZeroForIdenticalAndFourForAntipodalPairs() {
    INDArray x = Nd4j.create(new double[][] {{1, 0}, {0, 1}});
    assertEquals(0.0, RepresentationGeometry.alignment(x, x.dup()), 1e-12);
    assertEquals(4.0, RepresentationGeometry.alignment(x, x.neg()), 1e-12);
  }

  @Test
  void uniformityOfTwoAntipodalPointsIsMinusEight() {
    INDArray x = Nd4j.create(new double[][] {{1, 0}, {-1, 0}});
    assertEquals(-8.0, RepresentationGeometry.uniformity(x), 1e-9);
  }

  @Test
  void collapsedEmbeddingsHaveZeroStd() {
    INDArray same = Nd4j.create(new double[][] {{0.6, 0.8}, {0.6, 0.8}, {0.6, 0.8}});
    assertEquals(0.0, RepresentationGeometry.embeddingStd(same), 1e-12);
    // standard basis of R^2: each dimension is {1, 0}, std 0.5
    INDArray basis = Nd4j.create(new double[][] {{1, 0}, {0, 1}});
    assertEquals(0.5, RepresentationGeometry.embeddingStd(basis), 1e-12);
  }
}
