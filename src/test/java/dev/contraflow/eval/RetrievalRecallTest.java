package dev.contraflow.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class RetrievalRecallTest {

  @Test
  void aQueryHitsAtKWhenFewerThanKTargetsBeatItsOwn() {
    float s = (float) Math.sqrt(0.5);
    // query 0 is nearest its own target; queries 1 and 2 each have one target nearer than their own
    var queries = Nd4j.create(new float[][] {{1, 0}, {1, 0}, {0.6f, 0.8f}});
    var targets = Nd4j.create(new float[][] {{1, 0}, {s, s}, {0, 1}});
    assertArrayEquals(new double[] {1 / 3.0, 1.0, 1.0},
        RetrievalRecall.recallAt(queries, targets, 1, 2, 3), 1e-9);
  }

  @Test
  void tiedTargetsShareTheRanksTheyCoverSoAQueryWithNoEvidenceScoresChance() {
    // query 0 is the zero vector (a text with no known word): every target ties at cosine 0, so
    // its own target's rank is uniform over 1..4 - a hit at 1 with chance 1/4, at 2 with 2/4;
    // query 1 has target 0 ahead and ties with target 2 for the second place: 0, 1/2, 1
    var queries = Nd4j.create(new float[][] {{0, 0, 0}, {0, 0, 1}, {1, 0, 0}, {0, 0, 1}});
    var targets = Nd4j.create(new float[][] {{0, 0, 1}, {0.6f, 0, 0.8f}, {0.6f, 0, 0.8f},
        {0, 1, 0}});
    double q0At1 = 1 / 4.0;
    double q0At2 = 2 / 4.0;
    double q1At2 = 1 / 2.0;
    // query 2: its own target ties with target 1 at 0.6 and none is nearer: rank 1 or 2. query 3:
    // its own target has cosine 0 and targets 0, 1, 2 are nearer: rank 4, never a hit
    double q2At1 = 1 / 2.0;
    assertArrayEquals(new double[] {(q0At1 + 0 + q2At1 + 0) / 4, (q0At2 + q1At2 + 1 + 0) / 4},
        RetrievalRecall.recallAt(queries, targets, 1, 2), 1e-9);
  }
}
