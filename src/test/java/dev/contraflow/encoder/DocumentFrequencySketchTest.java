package dev.contraflow.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DocumentFrequencySketchTest {

  private static final int[] THE = {1, 2, 3};
  private static final int[] CAT = {4, 5, 6};
  private static final int[] MAT = {7, 8, 9};

  @Test
  void countsEachSentenceOnceWhateverItsWordsRepeat() {
    DocumentFrequencySketch s = new DocumentFrequencySketch(DocumentFrequencySketch.emptyValues());
    s.observe(new int[][] {THE, CAT, THE});
    s.observe(new int[][] {THE, MAT});
    s.observe(new int[][] {THE});
    assertEquals(3, s.documents());
    assertEquals(3, s.count(THE));
    assertEquals(1, s.count(CAT));
    assertEquals(1, s.count(MAT));
    assertEquals(0, s.count(new int[] {4, 5, 7}), "a token is its whole id tuple");
  }

  @Test
  void neverCountsBelowTheTrueDocumentFrequencyAmongManyTokens() {
    DocumentFrequencySketch s = new DocumentFrequencySketch(DocumentFrequencySketch.emptyValues());
    int words = 200_000; // three times the counters of a row: collisions in every row are likely
    for (int w = 0; w < words; w++) {
      s.observe(new int[][] {{w, w + 1}, THE});
    }
    for (int w = 0; w < words; w += 997) {
      assertTrue(s.count(new int[] {w, w + 1}) >= 1);
    }
    assertEquals(words, s.count(THE), "a frequent token's count is exact when rows disagree");
  }

  @Test
  void halvesEveryCountAtTheBoundSoValuesStayExactFloats() {
    float[] values = DocumentFrequencySketch.emptyValues();
    DocumentFrequencySketch s = new DocumentFrequencySketch(values);
    for (int i = 0; i < DocumentFrequencySketch.MAX_DOCUMENTS + 10; i++) {
      s.observe(i % 2 == 0 ? new int[][] {THE, CAT} : new int[][] {THE});
    }
    // the bound was reached at 2^22 sentences: 2^21 kept, then 10 more
    long n = DocumentFrequencySketch.MAX_DOCUMENTS / 2 + 10;
    assertEquals(n, s.documents());
    assertEquals(n, s.count(THE));
    assertEquals(DocumentFrequencySketch.MAX_DOCUMENTS / 4 + 5, s.count(CAT));
    for (float v : values) {
      assertTrue(v <= n && v == Math.rint(v), "every value an integer no larger than N: " + v);
    }
  }

  @Test
  void sifWeightIsAOverAPlusTheShareOfSentences() {
    DocumentFrequencySketch s = new DocumentFrequencySketch(DocumentFrequencySketch.emptyValues());
    assertEquals(1f, s.sifWeight(THE, 0.01), "mean pooling before any sentence is counted");
    for (int i = 0; i < 100; i++) {
      s.observe(i < 10 ? new int[][] {THE, CAT} : new int[][] {THE});
    }
    assertEquals(0.01 / (0.01 + 1.0), s.sifWeight(THE, 0.01), 1e-7);
    assertEquals(0.01 / (0.01 + 0.1), s.sifWeight(CAT, 0.01), 1e-7);
    assertEquals(1.0, s.sifWeight(MAT, 0.01), 1e-7, "an unseen word weighs fully");
  }

  @Test
  void idfWeightIsTfIdfsSmoothedInverseDocumentFrequency() {
    DocumentFrequencySketch s = new DocumentFrequencySketch(DocumentFrequencySketch.emptyValues());
    assertEquals(1f, s.idfWeight(THE), "mean pooling before any sentence is counted");
    for (int i = 0; i < 100; i++) {
      s.observe(i < 10 ? new int[][] {THE, CAT} : new int[][] {THE});
    }
    assertEquals(Math.log(101.0 / 101.0) + 1, s.idfWeight(THE), 1e-6, "in every sentence: 1");
    assertEquals(Math.log(101.0 / 11.0) + 1, s.idfWeight(CAT), 1e-6);
    assertEquals(Math.log(101.0) + 1, s.idfWeight(MAT), 1e-6, "an unseen word weighs most");
    assertEquals(s.idfWeight(CAT), s.weight(SentencePooling.IDF, CAT, 0.01));
    assertEquals(s.sifWeight(CAT, 0.01), s.weight(SentencePooling.SIF, CAT, 0.01));
    assertEquals(1f, s.weight(SentencePooling.MEAN, CAT, 0.01));
  }

  @Test
  void refusesABackingArrayOfAnotherSize() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DocumentFrequencySketch(new float[10]));
    assertTrue(e.getMessage().contains("got 10"), e.getMessage());
  }
}
