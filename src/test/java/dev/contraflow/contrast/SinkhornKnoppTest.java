package dev.contraflow.contrast;

import static dev.contraflow.contrast.TestMatrices.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SinkhornKnoppTest {

  @Test
  void everyFeaturesCodeSumsToOneAfterSwavsThreeIterations() {
    INDArray codes = SinkhornKnopp.swavDefaults().codes(scores(new Random(1), 6, 4));
    for (int i = 0; i < 6; i++) {
      assertEquals(1.0, codes.getRow(i).sumNumber().doubleValue(), 1e-9, "row " + i);
    }
  }

  @Test
  void withEnoughIterationsEveryPrototypeGetsBOverK() {
    int b = 6;
    int k = 3;
    INDArray codes = new SinkhornKnopp(0.5, 200).codes(scores(new Random(2), b, k));
    for (int j = 0; j < k; j++) {
      assertEquals((double) b / k, codes.getColumn(j).sumNumber().doubleValue(), 1e-6,
          "prototype " + j);
    }
  }

  @Test
  void equalScoresGiveUniformCodes() {
    INDArray codes = SinkhornKnopp.swavDefaults().codes(Nd4j.ones(4, 5).muli(0.3));
    assertEquals(0.0, codes.sub(0.2).norm2Number().doubleValue(), 1e-9);
  }

  @Test
  void equipartitionOverridesAFeatureCrowdThatPrefersOnePrototype() {
    // all four features score prototype 0 highest; the codes still split them over both
    INDArray s = Nd4j.create(new double[][] {{0.9, 0.1}, {0.8, 0.3}, {0.7, 0.5}, {0.6, 0.55}});
    INDArray codes = new SinkhornKnopp(0.05, 50).codes(s);
    assertEquals(2.0, codes.getColumn(1).sumNumber().doubleValue(), 1e-3);
    assertTrue(codes.getDouble(3, 1) > codes.getDouble(0, 1),
        "the feature closest to prototype 1 goes there");
  }

  @Test
  void rejectsNonPositiveEpsilonWithRemedy() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SinkhornKnopp(0, 3));
    assertTrue(e.getMessage().contains("SwAV uses 0.05"), e.getMessage());
  }

  private static INDArray scores(Random random, int b, int k) {
    return L2Normalization.unit(randn(random, b, 8))
        .mmul(L2Normalization.unit(randn(random, k, 8)).transpose());
  }
}
