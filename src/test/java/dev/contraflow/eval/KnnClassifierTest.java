package dev.contraflow.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KnnClassifierTest {

  /** Two clusters on the unit circle: label 0 near +x, label 1 near +y. */
  private static LabelledEmbeddings clusters() {
    return LabelledEmbeddings.of(new float[][] {
        {1f, 0.05f}, {1f, -0.05f}, {1f, 0.1f}, {0.05f, 1f}, {-0.05f, 1f}, {0.1f, 1f}},
        new int[] {0, 0, 0, 1, 1, 1});
  }

  @Test
  void wellSeparatedClustersAreClassifiedPerfectly() {
    LabelledEmbeddings queries = LabelledEmbeddings.of(
        new float[][] {{2f, 0.2f}, {0.1f, 3f}}, new int[] {0, 1});
    assertEquals(1.0, KnnClassifier.weighted(3, 0.07).accuracy(clusters(), queries));
    assertEquals(1.0, KnnClassifier.plain(3).accuracy(clusters(), queries));
  }

  @Test
  void sharedSimilaritiesGiveEachClassifierItsOwnAccuracy() {
    // the query of label 0 sits by one label-0 point and two label-1 points, as above: plain
    // k = 3 votes it wrong, weighted k = 3 right, so one pass must keep the two apart
    LabelledEmbeddings bank = LabelledEmbeddings.of(
        new float[][] {{1f, 0f}, {0.6f, 0.8f}, {0.6f, 0.8f}}, new int[] {0, 1, 1});
    LabelledEmbeddings query = LabelledEmbeddings.of(new float[][] {{1f, 0f}}, new int[] {0});
    assertArrayEquals(new double[] {0.0, 1.0, 1.0}, KnnClassifier.accuracies(bank, query,
        KnnClassifier.plain(3), KnnClassifier.weighted(3, 0.07), KnnClassifier.plain(1)));
  }

  @Test
  void mislabelledQueryLowersAccuracyByItsShare() {
    LabelledEmbeddings queries = LabelledEmbeddings.of(
        new float[][] {{2f, 0.2f}, {0.1f, 3f}, {1f, 0f}, {0f, 1f}}, new int[] {0, 1, 1, 1});
    assertEquals(0.75, KnnClassifier.plain(3).accuracy(clusters(), queries));
  }

  @Test
  void weightedVoteLetsAFewCloseNeighboursOutvoteManyFarOnes() {
    // one bank point right on the query (label 0) and two far ones (label 1)
    LabelledEmbeddings bank = LabelledEmbeddings.of(
        new float[][] {{1f, 0f}, {0.6f, 0.8f}, {0.6f, 0.8f}}, new int[] {0, 1, 1});
    LabelledEmbeddings query = LabelledEmbeddings.of(new float[][] {{1f, 0f}}, new int[] {0});
    assertArrayEquals(new int[] {1}, KnnClassifier.plain(3).predict(bank, query));
    assertArrayEquals(new int[] {0}, KnnClassifier.weighted(3, 0.07).predict(bank, query));
  }

  @Test
  void rejectsKLargerThanTheBankAndNonPositiveTemperature() {
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
        () -> KnnClassifier.plain(7).accuracy(clusters(), clusters()));
    assertEquals("kNN k = 7 exceeds the bank size 6", big.getMessage());
    IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
        () -> KnnClassifier.weighted(5, 0));
    assertEquals("kNN temperature T must be > 0, got 0.0 (InstDisc/MoCo use 0.07)", t.getMessage());
  }

  @Test
  void topKFindsTheLargestValuesWithoutSorting() {
    KnnClassifier.TopK top = new KnnClassifier.TopK(3);
    top.select(new float[] {9, 0.1f, 0.9f, 0.5f, 0.7f, 0.2f, 9}, 1, 5);
    float[] found = {top.value(0), top.value(1), top.value(2)};
    java.util.Arrays.sort(found);
    assertArrayEquals(new float[] {0.5f, 0.7f, 0.9f}, found);
  }
}
