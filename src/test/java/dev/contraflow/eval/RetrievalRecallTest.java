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
}
