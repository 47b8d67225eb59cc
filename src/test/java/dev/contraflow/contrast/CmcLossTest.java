package dev.contraflow.contrast;

import static dev.contraflow.contrast.TestMatrices.randn;
import static dev.contraflow.contrast.TestMatrices.shifted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.contrast.CmcLoss.Graph;
import dev.contraflow.contrast.CmcLoss.Pair;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CmcLossTest {

  @Test
  void theFullGraphContrastsEveryOrderedPairAndTheCoreGraphEveryPairWithTheFirstView() {
    assertEquals(List.of(new Pair(0, 1), new Pair(0, 2), new Pair(1, 0), new Pair(1, 2),
        new Pair(2, 0), new Pair(2, 1)), CmcLoss.pairs(Graph.FULL, 3));
    assertEquals(List.of(new Pair(0, 1), new Pair(0, 2), new Pair(1, 0), new Pair(2, 0)),
        CmcLoss.pairs(Graph.CORE, 3));
    assertEquals(4 * 3, CmcLoss.pairs(Graph.FULL, 4).size(), "V(V - 1) directed terms");
    assertEquals(2 * 3, CmcLoss.pairs(Graph.CORE, 4).size(), "2(V - 1) directed terms");
    assertEquals(CmcLoss.pairs(Graph.FULL, 2), CmcLoss.pairs(Graph.CORE, 2),
        "two views have one pair whatever the graph");
  }

  @Test
  void twoViewsGiveTheMeanOfBothDirectionsOfInfoNceAgainstTheOtherViewsNegatives() {
    // T = 0.5. View 1 anchors: q1.k2 = 0.6, q1.(view 2's negative) = -1: logits 1.2, -2.
    // View 2 anchors: q2.k1 = 0, q2.(view 1's negative) = 1: logits 0, 2.
    INDArray[] q = {Nd4j.create(new double[][] {{1, 0}}), Nd4j.create(new double[][] {{0, 1}})};
    INDArray[] k = {Nd4j.create(new double[][] {{1, 0}}),
        Nd4j.create(new double[][] {{0.6, 0.8}})};
    INDArray[] negatives = {Nd4j.create(new double[][] {{0, 1}}),
        Nd4j.create(new double[][] {{-1, 0}})};
    CmcLoss.Result r = new CmcLoss(0.5, Graph.FULL).compute(q, k, negatives, List.of());
    double oneToTwo = -1.2 + Math.log(Math.exp(1.2) + Math.exp(-2));
    double twoToOne = Math.log(Math.exp(0) + Math.exp(2));
    assertEquals((oneToTwo + twoToOne) / 2, r.loss(), 1e-9);
    assertEquals(2, r.pairs());
    assertEquals((0.6 + 0) / 2, r.positiveSimilarity(), 1e-12);
    assertEquals((-1 + 1) / 2.0, r.negativeSimilarity(), 1e-12);
  }

  @ParameterizedTest
  @EnumSource(Graph.class)
  void equalFeaturesEverywhereGiveLogOfKPlusOneWhateverTheGraph(Graph graph) {
    // every logit equal: the positive is one of K + 1 equally likely choices in every term
    int k = 5;
    INDArray unit = Nd4j.create(new double[][] {{0, 1, 0}});
    INDArray[] same = {unit, unit.dup(), unit.dup()};
    INDArray bank = Nd4j.create(DataType.DOUBLE, k, 3);
    bank.getColumn(1).assign(1.0);
    CmcLoss.Result r = new CmcLoss(0.2, graph).compute(same, same,
        new INDArray[] {bank, bank.dup(), bank.dup()}, List.of());
    assertEquals(Math.log(k + 1), r.loss(), 1e-9);
  }

  @Test
  void viewsWithoutNegativesYetGiveZeroLossAndNoNegativeSimilarity() {
    INDArray[] q = {Nd4j.create(new double[][] {{1, 0}}), Nd4j.create(new double[][] {{0, 1}})};
    CmcLoss.Result r = new CmcLoss(0.2, Graph.FULL).compute(q, q, new INDArray[2], List.of());
    assertEquals(0.0, r.loss(), 1e-12);
    assertTrue(Double.isNaN(r.negativeSimilarity()));
  }

  @ParameterizedTest
  @EnumSource(Graph.class)
  void gradientThroughNormalisationMatchesFiniteDifferencesForEveryView(Graph graph) {
    Random random = new Random(5);
    int views = 3;
    int n = 3;
    int d = 4;
    INDArray[] z = new INDArray[views]; // raw projections: the loss sees z / ||z||
    INDArray[] keys = new INDArray[views];
    INDArray[] negatives = new INDArray[views];
    for (int v = 0; v < views; v++) {
      z[v] = randn(random, n, d);
      keys[v] = L2Normalization.unit(randn(random, n, d));
      negatives[v] = L2Normalization.unit(randn(random, 4, d));
    }
    List<InfoNceLoss.Exclusion> excluded = List.of(new InfoNceLoss.Exclusion(2, 1));
    CmcLoss loss = new CmcLoss(0.2, graph);

    L2Normalization.Normalized[] unit = new L2Normalization.Normalized[views];
    INDArray[] q = new INDArray[views];
    for (int v = 0; v < views; v++) {
      unit[v] = L2Normalization.forward(z[v]);
      q[v] = unit[v].unit();
    }
    CmcLoss.Result r = loss.compute(q, keys, negatives, excluded);

    double h = 1e-6;
    for (int v = 0; v < views; v++) {
      INDArray analytic = L2Normalization.backward(r.dLossDQuery()[v], unit[v]);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) {
          double numeric = (summedLoss(loss, z, v, shifted(z[v], i, j, h), keys, negatives,
              excluded) - summedLoss(loss, z, v, shifted(z[v], i, j, -h), keys, negatives,
              excluded)) / (2 * h);
          assertEquals(numeric, analytic.getDouble(i, j), 1e-6 * Math.max(1, Math.abs(numeric)),
              graph + " dL/dz_" + v + "[" + i + "," + j + "]");
        }
      }
    }
  }

  @Test
  void rejectsFewerThanTwoViewsMismatchedViewsAndAMissingGraph() {
    INDArray one = Nd4j.create(new double[][] {{1, 0}});
    IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
        () -> new CmcLoss(0.2, Graph.FULL).compute(new INDArray[] {one}, new INDArray[] {one},
            new INDArray[1], List.of()));
    assertTrue(few.getMessage().contains("at least 2 views, got 1"), few.getMessage());
    IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
        () -> new CmcLoss(0.2, Graph.FULL).compute(new INDArray[] {one, one},
            new INDArray[] {one}, new INDArray[2], List.of()));
    assertTrue(mismatch.getMessage().contains("each of the 2 views, got 1 keys"),
        mismatch.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CmcLoss(0.2, null));
    assertThrows(IllegalArgumentException.class, () -> new CmcLoss(0, Graph.FULL));
  }

  /** The summed loss (mean times terms times rows) with view v's projections replaced. */
  private static double summedLoss(CmcLoss loss, INDArray[] z, int v, INDArray zv,
      INDArray[] keys, INDArray[] negatives, List<InfoNceLoss.Exclusion> excluded) {
    INDArray[] q = new INDArray[z.length];
    for (int u = 0; u < z.length; u++) {
      q[u] = L2Normalization.unit(u == v ? zv : z[u]);
    }
    CmcLoss.Result r = loss.compute(q, keys, negatives, excluded);
    return r.loss() * r.pairs() * zv.rows();
  }
}
