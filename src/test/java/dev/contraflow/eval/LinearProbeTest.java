package dev.contraflow.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.augment.Rng;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

  /** n points per class around three far-apart centres in 2-D. */
  private static LabelledEmbeddings threeBlobs(int n, long seed, boolean randomLabels) {
    Rng rng = new Rng(seed);
    float[][] centres = {{10, 0}, {-10, 10}, {0, -10}};
    float[][] rows = new float[3 * n][];
    int[] labels = new int[3 * n];
    for (int i = 0; i < rows.length; i++) {
      int c = i % 3;
      rows[i] = new float[] {centres[c][0] + (float) rng.nextGaussian(),
          centres[c][1] + (float) rng.nextGaussian()};
      labels[i] = randomLabels ? rng.nextInt(3) : c;
    }
    return LabelledEmbeddings.of(rows, labels);
  }

  @Test
  void separableClassesAreLearnedPerfectly() {
    LinearProbe probe = new LinearProbe(20, 32, 0.05, 0, 1);
    assertEquals(1.0, probe.accuracy(threeBlobs(100, 1, false), threeBlobs(50, 2, false)));
  }

  @Test
  void randomLabelsStayNearChance() {
    LinearProbe probe = new LinearProbe(20, 32, 0.05, 0, 1);
    double acc = probe.accuracy(threeBlobs(200, 3, true), threeBlobs(200, 4, true));
    assertTrue(acc > 0.2 && acc < 0.47, "accuracy " + acc);
  }

  @Test
  void rejectsZeroEpochs() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LinearProbe(0, 32, 0.01, 0, 1));
    assertEquals("linear probe epochs must be >= 1, got 0", e.getMessage());
  }
}
