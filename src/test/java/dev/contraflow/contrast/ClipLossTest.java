package dev.contraflow.contrast;

import static dev.contraflow.contrast.TestMatrices.randn;
import static dev.contraflow.contrast.TestMatrices.shifted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ClipLossTest {

  @Test
  void orthogonalAlignedPairsGiveTheClosedForm() {
    // I = T = the identity: logits s on the diagonal, 0 elsewhere, in both directions
    int b = 4;
    double s = 10;
    INDArray eye = Nd4j.create(new double[][] {
        {1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}});
    ClipLoss.Result r = ClipLoss.compute(eye, eye.dup(), Math.log(s));
    double expected = Math.log(1 + (b - 1) * Math.exp(-s));
    assertEquals(expected, r.loss(), 1e-12);
    assertEquals(expected, r.imageToTextLoss(), 1e-12);
    assertEquals(expected, r.textToImageLoss(), 1e-12);
    assertEquals(1.0, r.positiveSimilarity(), 1e-12);
    assertEquals(0.0, r.negativeSimilarity(), 1e-12);
    // dL/dt = dL/ds * s with L = ln(1 + (B-1) e^{-s})
    double dLds = -(b - 1) * Math.exp(-s) / (1 + (b - 1) * Math.exp(-s));
    assertEquals(dLds * s, r.dLossDLogScale(), 1e-12);
  }

  @Test
  void identicalFeaturesGiveLogBAndNoPullOnTheScale() {
    // every logit equal: each row and column is a uniform guess among B
    INDArray same = Nd4j.create(new double[][] {{0.6, 0.8}, {0.6, 0.8}, {0.6, 0.8}});
    ClipLoss.Result r = ClipLoss.compute(same, same.dup(), Math.log(1 / 0.07));
    assertEquals(Math.log(3), r.loss(), 1e-12);
    assertEquals(0.0, r.dLossDLogScale(), 1e-12);
  }

  @Test
  void twoByTwoMatchesHandComputedValues() {
    // I.T = [[1, 0], [0.6, 0.8]] at scale 2: rows CE = [ln(e^2+1) - 2, ln(e^1.2+e^1.6) - 1.6],
    // columns CE = [ln(e^2+e^1.2) - 2, ln(1+e^1.6) - 1.6]
    INDArray images = Nd4j.create(new double[][] {{1, 0}, {0.6, 0.8}});
    INDArray texts = Nd4j.create(new double[][] {{1, 0}, {0, 1}});
    ClipLoss.Result r = ClipLoss.compute(images, texts, Math.log(2));
    double rows = (Math.log(Math.exp(2) + 1) - 2 + Math.log(Math.exp(1.2) + Math.exp(1.6)) - 1.6)
        / 2;
    double cols = (Math.log(Math.exp(2) + Math.exp(1.2)) - 2 + Math.log(1 + Math.exp(1.6)) - 1.6)
        / 2;
    assertEquals(rows, r.imageToTextLoss(), 1e-12);
    assertEquals(cols, r.textToImageLoss(), 1e-12);
    assertEquals((rows + cols) / 2, r.loss(), 1e-12);
    assertEquals(0.9, r.positiveSimilarity(), 1e-12);
    assertEquals(0.3, r.negativeSimilarity(), 1e-12);
  }

  @Test
  void swappingTheModalitiesSwapsTheDirections() {
    Random random = new Random(5);
    INDArray images = L2Normalization.unit(randn(random, 5, 3));
    INDArray texts = L2Normalization.unit(randn(random, 5, 3));
    ClipLoss.Result r = ClipLoss.compute(images, texts, 2.0);
    ClipLoss.Result swapped = ClipLoss.compute(texts, images, 2.0);
    assertEquals(r.imageToTextLoss(), swapped.textToImageLoss(), 1e-12);
    assertEquals(r.loss(), swapped.loss(), 1e-12);
    assertEquals(0.0, r.dLossDImage().sub(swapped.dLossDText()).norm2Number().doubleValue(),
        1e-12);
  }

  @Test
  void aSinglePairHasNothingToContrast() {
    INDArray one = Nd4j.create(new double[][] {{0.6, 0.8}});
    ClipLoss.Result r = ClipLoss.compute(one, Nd4j.create(new double[][] {{1, 0}}), 3.0);
    assertEquals(0.0, r.loss(), 1e-12);
    assertEquals(0.0, r.dLossDImage().norm2Number().doubleValue(), 1e-12);
    assertTrue(Double.isNaN(r.negativeSimilarity()));
  }

  @Test
  void gradientsMatchFiniteDifferencesThroughTheNormalisation() {
    Random random = new Random(3);
    int b = 4;
    int d = 5;
    INDArray zImages = randn(random, b, d); // raw projections: the loss sees z / ||z||
    INDArray zTexts = randn(random, b, d);
    double t = 1.3;
    L2Normalization.Normalized ni = L2Normalization.forward(zImages);
    L2Normalization.Normalized nt = L2Normalization.forward(zTexts);
    ClipLoss.Result r = ClipLoss.compute(ni.unit(), nt.unit(), t);
    INDArray dImage = L2Normalization.backward(r.dLossDImage(), ni);
    INDArray dText = L2Normalization.backward(r.dLossDText(), nt);

    double h = 1e-6;
    ToDoubleFunction<INDArray[]> summed = z -> ClipLoss.compute(L2Normalization.unit(z[0]),
        L2Normalization.unit(z[1]), t).loss() * b;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < d; j++) {
        double numericImage = (summed.applyAsDouble(new INDArray[] {shifted(zImages, i, j, h), zTexts})
            - summed.applyAsDouble(new INDArray[] {shifted(zImages, i, j, -h), zTexts})) / (2 * h);
        assertEquals(numericImage, dImage.getDouble(i, j), 1e-6 * Math.max(1, Math.abs(numericImage)),
            "dL/dz_image[" + i + "," + j + "]");
        double numericText = (summed.applyAsDouble(new INDArray[] {zImages, shifted(zTexts, i, j, h)})
            - summed.applyAsDouble(new INDArray[] {zImages, shifted(zTexts, i, j, -h)})) / (2 * h);
        assertEquals(numericText, dText.getDouble(i, j), 1e-6 * Math.max(1, Math.abs(numericText)),
            "dL/dz_text[" + i + "," + j + "]");
      }
    }
    double numericScale = (ClipLoss.compute(ni.unit(), nt.unit(), t + h).loss()
        - ClipLoss.compute(ni.unit(), nt.unit(), t - h).loss()) / (2 * h);
    assertEquals(numericScale, r.dLossDLogScale(), 1e-7);
  }

  @Test
  void rejectsMismatchedShapesWithBoth() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClipLoss.compute(Nd4j.zeros(2, 3), Nd4j.zeros(2, 4), 1.0));
    assertTrue(e.getMessage().contains("[2, 3] and [2, 4]"), e.getMessage());
  }
}
